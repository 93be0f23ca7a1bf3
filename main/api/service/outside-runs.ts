// Runs driven by another process (an `effconv run` in a terminal, a second window on the same
// database) reach this process only through the database. Watch it once a second, cheaply
// (nothing is read unless another connection committed), and republish what changed as the
// same PushEvents this process's own executor gives, so lists and live views follow those runs too.
import type { PushEvent } from '../../contract/api';
import type { Stage, TrainEvent } from '../../contract/events';
import type { RunStatus } from '../../contract/store';
import { dataVersion, epochMetricsAfter, lastRecorded, runsChangedSince, stepsAfter, type ChangedRun, type StepRow, type Store } from '../../store';

export const OUTSIDE_RUN_POLL_MS = 1000;

interface Seen {
  status: RunStatus;
  stage: Stage;
  step: number;
  epochStage: Stage;
  epoch: number;
}

export class OutsideRunWatcher {
  private readonly seen = new Map<number, Seen>();
  private version: number;
  private since: number;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly store: Store,
    /** Runs this process drives itself (their events are published already). */
    private readonly isOwn: (runId: number) => boolean,
    private readonly publish: (e: PushEvent) => void,
    now = Date.now(),
  ) {
    this.version = dataVersion(store);
    this.since = now;
  }

  start(everyMs = OUTSIDE_RUN_POLL_MS): void {
    this.timer ??= setInterval(() => {
      try {
        this.poll();
      } catch {
        // A locked or closing database: the next tick tries again.
      }
    }, everyMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Publish what other processes recorded since the last call. */
  poll(): void {
    const v = dataVersion(this.store);
    if (v === this.version) return;
    this.version = v;
    for (const run of runsChangedSince(this.store, this.since)) {
      this.since = Math.max(this.since, run.updatedAt);
      if (this.isOwn(run.id)) {
        this.seen.delete(run.id);
        continue;
      }
      this.follow(run);
    }
  }

  private follow(run: ChangedRun): void {
    let s = this.seen.get(run.id);
    if (!s) {
      // First sight: a view opened now loads the history itself; publish from here on.
      const last = lastRecorded(this.store, run.id);
      s = { status: run.status, stage: last.stage, step: last.step, epochStage: last.epochStage, epoch: last.epoch };
      if (isActive(run.status)) this.seen.set(run.id, s);
      this.publish({ kind: 'run-status', runId: run.id, status: run.status, error: run.error });
      return;
    }
    // Steps and epochs first, so a view has them when it hears that the run ended.
    for (;;) {
      const rows = stepsAfter(this.store, run.id, s.stage, s.step, STEPS_PER_READ);
      for (const r of rows) {
        this.publish({ kind: 'run', runId: run.id, event: stepEvent(r, run) });
        s.stage = r.stage;
        s.step = r.step;
      }
      if (rows.length < STEPS_PER_READ) break;
    }
    for (const e of epochMetricsAfter(this.store, run.id, s.epochStage, s.epoch)) {
      const event: TrainEvent = {
        type: 'epoch', stage: e.stage, epoch: e.epoch, epochs: run.epochs[e.stage], seconds: e.seconds, trainLoss: e.trainLoss ?? Number.NaN,
        ...(e.trainAcc !== null ? { trainAcc: e.trainAcc } : {}), top1: e.top1, top5: e.top5, ...(e.testLoss !== null ? { testLoss: e.testLoss } : {}),
        ...(e.params !== null ? { params: e.params } : {}), ...(e.sizes ? { hard: e.sizes } : {}), ...(e.soft ? { soft: e.soft } : {}),
      };
      this.publish({ kind: 'run', runId: run.id, event });
      s.epochStage = e.stage;
      s.epoch = e.epoch;
    }
    if (run.status !== s.status) {
      s.status = run.status;
      this.publish({ kind: 'run-status', runId: run.id, status: run.status, error: run.error });
    }
    if (!isActive(run.status)) this.seen.delete(run.id);
  }
}

const STEPS_PER_READ = 1000;
const isActive = (s: RunStatus) => s === 'running' || s === 'queued';

function stepEvent(r: StepRow, run: ChangedRun): TrainEvent {
  // The run row's progress is the newest step's: its stage's totals hold for the batch, its ETA for that step only.
  const total = run.stage === r.stage && run.totalSteps ? run.totalSteps : 0;
  const perEpoch = total ? Math.max(1, Math.round(total / run.epochs[r.stage])) : 0;
  const eta = run.stage === r.stage && run.step === r.step ? (run.etaSeconds ?? Number.NaN) : Number.NaN;
  return {
    type: 'step', stage: r.stage, epoch: r.epoch, step: r.step, stepInEpoch: perEpoch ? r.step - (r.epoch - 1) * perEpoch : r.step, stepsPerEpoch: perEpoch,
    totalSteps: total, loss: r.loss ?? Number.NaN, lr: r.lr ?? Number.NaN, ms: r.ms ?? Number.NaN, etaSeconds: eta,
    ...(r.ce !== null ? { ce: r.ce } : {}), ...(r.lparam !== null ? { lparam: r.lparam } : {}), ...(r.params !== null ? { params: r.params } : {}),
    ...(r.soft && r.hard ? { soft: r.soft, hard: r.hard } : {}), ...(r.acc !== null ? { acc: r.acc } : {}),
  };
}

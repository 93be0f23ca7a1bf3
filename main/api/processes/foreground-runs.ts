// Runs executed in this very process (the CLI: `effconv run` trains in the terminal that
// started it). Each submitted or resumed run is claimed at once and driven to an end here; no
// other queued run is touched, so a CLI never takes the desktop app's queue.
import type { RunRow } from '../../contract/store';
import { getRunSummary, type Store } from '../../store';
import { claimForThisProcess, createRun, queueResume, recoverInterrupted, type NewRunRequest } from '../records/run-records';
import { executeStoredRun } from '../run/execute-stored-run';
import { LocalRunExecutor } from './run-executor';

export interface ForegroundRunsOptions {
  /** Checkpoint inside an epoch this often (default: executeStoredRun's, 5 min). */
  checkpointEveryMs?: number;
}

interface Active {
  abort: AbortController;
  pause: boolean;
  done: Promise<void>;
}

export class ForegroundRuns extends LocalRunExecutor {
  private readonly active = new Map<number, Active>();
  private closing = false;
  /** Runs recorded together (a sweep's points) go one after another: one process trains one run at a time. */
  private chain: Promise<void> = Promise.resolve();
  private chained = 0;

  constructor(
    store: Store,
    private readonly o: ForegroundRunsOptions = {},
  ) {
    super(store);
  }

  /** Only marks runs whose process died; what is queued belongs to the app's queue. */
  start(): void {
    recoverInterrupted(this.store);
  }

  get running(): number[] {
    return [...this.active.keys()];
  }

  /** The process is leaving: its runs pause at a checkpoint (pauseRunning) or are cancelled, never cut. */
  async shutdown(o: { pauseRunning?: boolean } = {}): Promise<void> {
    this.closing = true;
    for (const a of this.active.values()) {
      if (o.pauseRunning) a.pause = true;
      else a.abort.abort();
    }
    await Promise.all([...this.active.values()].map((a) => a.done));
  }

  protected waiting(): number {
    return this.chained;
  }

  override enqueue(runIds: readonly number[]): void {
    for (const id of runIds) this.emitStatus(id);
    for (const id of runIds) {
      this.chained += 1;
      this.chain = this.chain
        .then(() => {
          if (this.closing) return;
          this.accepted(id);
          return this.active.get(id)?.done;
        })
        .catch(() => this.emitStatus(id)) // not claimable (another process took it): its row says why
        .finally(() => {
          this.chained -= 1;
          this.settled();
        });
    }
  }

  protected signal(runId: number, request: 'pause' | 'cancel'): void {
    const a = this.active.get(runId);
    if (!a) return;
    if (request === 'pause') a.pause = true;
    else a.abort.abort();
  }

  /** Recorded and claimed in one transaction: no queue of another process can take it in between. */
  override submit(r: NewRunRequest): RunRow {
    const id = this.store.write(() => {
      const run = createRun(this.store, r);
      claimForThisProcess(this.store, run.id);
      return run.id;
    });
    this.execute(id);
    return getRunSummary(this.store, id);
  }

  override resume(runId: number): RunRow {
    this.store.write(() => {
      queueResume(this.store, runId);
      claimForThisProcess(this.store, runId);
    });
    this.execute(runId);
    return getRunSummary(this.store, runId);
  }

  protected accepted(runId: number): void {
    if (this.closing) return;
    claimForThisProcess(this.store, runId);
    this.execute(runId);
  }

  private execute(runId: number): void {
    this.emitStatus(runId);
    const a: Active = { abort: new AbortController(), pause: false, done: Promise.resolve() };
    this.active.set(runId, a);
    a.done = executeStoredRun(this.store, runId, {
      signal: a.abort.signal,
      pauseRequested: () => a.pause,
      checkpointEveryMs: this.o.checkpointEveryMs,
      onEvent: (event) => this.emit({ type: 'train', runId, event }),
    }).then(
      (out) => this.emit({ type: 'status', runId, status: out.status, error: out.error }),
      // It failed before recording an outcome (the database went away): report what the row says.
      () => this.emitStatus(runId),
    ).finally(() => {
      this.active.delete(runId);
      this.settled();
    });
  }
}

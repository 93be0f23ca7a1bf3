// The local run queue (desktop, web, and a terminal's sweep): each run in its own worker
// process, one at a time by default, the rest waiting (the queue is the database's 'queued'
// runs, so it survives the app). A sweep's points run up to its `parallel` at once (counting
// its points running in any process), each worker with the cores divided among them. Workers
// write their own rows; the queue only fills in what a worker that died could not.
import { availableParallelism } from 'node:os';
import { settings } from '../../common/settings';
import { EffconvError } from '../../contract/errors';
import { endRun, findRunRow, queuedRuns, queuedRunSlots, type Store } from '../../store';
import { recoverInterrupted } from '../records/run-records';
import type { WorkerHandle, WorkerLauncher } from './launcher';
import { LocalRunExecutor } from './run-executor';
import { workerArgs, WORKER_EXIT } from './worker-protocol';

export interface RunQueueOptions {
  store: Store;
  launcher: WorkerLauncher;
  /** Runs at once (default 1). */
  concurrency?: number;
  /** Passed to workers: checkpoint inside an epoch this often (default: the worker's, 5 min). */
  checkpointEveryMs?: number;
  /** After a cancel, how long a worker gets to stop at a step boundary before it is killed (default 30 s). */
  cancelGraceMs?: number;
  /** Run only what was handed to this queue (a terminal's sweep), never other queued runs of the database (the app's). */
  onlyOwn?: boolean;
}

const REPUMP_MS = 2000;

interface Active {
  runId: number;
  sweepId: number | null;
  worker: WorkerHandle;
  /** The worker took the run (its row says running, so the database counts it). */
  claimed: boolean;
  ended: boolean;
  cancelRequested: boolean;
  killTimer: NodeJS.Timeout | null;
}

export class RunQueue extends LocalRunExecutor {
  private readonly launcher: WorkerLauncher;
  private readonly concurrency: number;
  private readonly active = new Map<number, Active>();
  /** With onlyOwn: the runs handed to this queue that have not ended. */
  private readonly own = new Set<number>();
  private started = false;
  private closing = false;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly o: RunQueueOptions) {
    super(o.store);
    this.launcher = o.launcher;
    this.concurrency = o.concurrency ?? 1;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new EffconvError('INVALID_ARGUMENT', `concurrency must be an integer >= 1, got ${o.concurrency}`, 'concurrency');
  }

  /**
   * Mark runs whose process died as interrupted, then start what is queued; look again every
   * few seconds, since a sweep's point may wait for one that another process runs.
   */
  start(): void {
    for (const id of recoverInterrupted(this.store)) this.emitStatus(id);
    this.started = true;
    this.pump();
    this.timer = setInterval(() => {
      try {
        this.pump();
      } catch {
        // A busy or closing database: the next tick tries again.
      }
    }, REPUMP_MS);
    this.timer.unref();
  }

  get running(): number[] {
    return [...this.active.keys()];
  }

  async shutdown(o: { pauseRunning?: boolean } = {}): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    if (!o.pauseRunning) return;
    const exits = [...this.active.values()].map((a) => new Promise<void>((resolve) => a.worker.onExit(() => resolve())));
    for (const id of this.active.keys()) {
      try {
        this.pause(id);
      } catch {
        // It ended meanwhile.
      }
    }
    await Promise.all(exits);
  }

  protected accepted(runId: number): void {
    if (this.o.onlyOwn) this.own.add(runId);
    this.pump();
  }

  protected waiting(): number {
    if (!this.store.db.open) return 0;
    const queued = queuedRuns(this.store);
    return this.o.onlyOwn ? queued.filter((id) => this.own.has(id)).length : queued.length;
  }

  /** Stop every worker at once (a terminal's second Ctrl-C): their runs are found interrupted and resume from their last checkpoint. */
  killWorkers(): void {
    this.closing = true;
    for (const a of this.active.values()) a.worker.kill();
  }

  protected signal(runId: number, request: 'pause' | 'cancel'): void {
    const a = this.active.get(runId);
    if (!a) return;
    a.worker.send({ type: request });
    if (request === 'cancel') {
      a.cancelRequested = true;
      a.killTimer ??= setTimeout(() => a.worker.kill(), this.o.cancelGraceMs ?? 30_000);
    }
  }

  private pump(): void {
    if (!this.started || this.closing || !this.store.db.open) return;
    for (const slot of queuedRunSlots(this.store)) {
      if (this.active.has(slot.id) || (this.o.onlyOwn && !this.own.has(slot.id))) continue;
      const limit = slot.parallel ?? this.concurrency;
      if (this.active.size >= Math.max(this.concurrency, limit)) continue;
      if (slot.sweepId !== null) {
        const starting = [...this.active.values()].filter((a) => a.sweepId === slot.sweepId && !a.claimed).length;
        if (slot.runningInSweep + starting >= limit) continue;
      }
      this.launch(slot.id, slot.sweepId, slot.parallel);
    }
    this.settled();
  }

  private workerEnv(parallel: number | null): Record<string, string> | undefined {
    const threads = sharedWasmThreads(parallel);
    return threads === undefined ? undefined : { EFFCONV_WASM_THREADS: String(threads) };
  }

  private launch(runId: number, sweepId: number | null, parallel: number | null): void {
    const worker = this.launcher.launch(workerArgs({ dbPath: this.store.path, runId, checkpointEveryMs: this.o.checkpointEveryMs }), this.workerEnv(parallel));
    const a: Active = { runId, sweepId, worker, claimed: false, ended: false, cancelRequested: false, killTimer: null };
    this.active.set(runId, a);
    worker.onMessage((m) => {
      if (m.runId !== runId) return;
      if (m.type === 'claimed') {
        a.claimed = true;
        this.emitStatus(runId);
        this.pump(); // the database now counts it: a sweep's next point may start
      }
      else if (m.type === 'event') this.emit({ type: 'train', runId, event: m.event });
      else if (m.type === 'end') {
        a.ended = true;
        this.emit({ type: 'status', runId, status: m.status, error: m.error });
      }
    });
    worker.onExit((code, signal) => this.exited(a, code, signal));
  }

  private exited(a: Active, code: number | null, signal: string | null): void {
    if (a.killTimer) clearTimeout(a.killTimer);
    this.active.delete(a.runId);
    if (!this.store.db.open) return;
    const row = findRunRow(this.store, a.runId);
    // Deleted while its process was starting or ending (a sweep deleted at that moment): nothing to record.
    if (!row) {
      this.own.delete(a.runId);
      this.pump();
      return;
    }
    if (row.status !== 'queued') this.own.delete(a.runId);
    if (!a.ended && code !== WORKER_EXIT.notClaimed) {
      // The worker died without ending the run (killed, crashed, out of memory): say so in its row.
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      if (row.status === 'running' && (row.pid === null || row.pid === a.worker.pid)) {
        if (a.cancelRequested) endRun(this.store, a.runId, 'cancelled');
        else endRun(this.store, a.runId, 'interrupted', { code: 'RUN_INTERRUPTED', message: `the run's process ${how}; resume it to continue from its last checkpoint`, detail: '' });
      } else if (row.status === 'queued') {
        // It died before claiming the run (bad install, missing native module): do not retry forever.
        endRun(this.store, a.runId, 'failed', { code: 'INTERNAL', message: `the run's process ${how} before starting`, detail: '' });
      }
      this.emitStatus(a.runId);
    }
    this.pump();
  }
}

/** Points run side by side share the cores: each gets its part (unless EFFCONV_WASM_THREADS says otherwise); undefined: the default. */
export function sharedWasmThreads(parallel: number | null): number | undefined {
  if (parallel === null || parallel < 2 || settings().wasmThreads !== undefined) return undefined;
  return Math.max(1, Math.floor(availableParallelism() / parallel));
}

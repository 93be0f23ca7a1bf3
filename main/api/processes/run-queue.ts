// The local run queue (desktop and web mode): each run in its own worker process, one at a
// time by default, the rest waiting (the queue is the database's 'queued' runs, so it survives
// the app). Workers write their own rows; the queue only fills in what a worker that died
// could not.
import { EffconvError } from '../../contract/errors';
import { endRun, getRunRow, queuedRuns, type Store } from '../../store';
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
}

interface Active {
  runId: number;
  worker: WorkerHandle;
  ended: boolean;
  cancelRequested: boolean;
  killTimer: NodeJS.Timeout | null;
}

export class RunQueue extends LocalRunExecutor {
  private readonly launcher: WorkerLauncher;
  private readonly concurrency: number;
  private readonly active = new Map<number, Active>();
  private started = false;
  private closing = false;

  constructor(private readonly o: RunQueueOptions) {
    super(o.store);
    this.launcher = o.launcher;
    this.concurrency = o.concurrency ?? 1;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new EffconvError('INVALID_ARGUMENT', `concurrency must be an integer >= 1, got ${o.concurrency}`, 'concurrency');
  }

  /** Mark runs whose process died as interrupted, then start what is queued. */
  start(): void {
    for (const id of recoverInterrupted(this.store)) this.emitStatus(id);
    this.started = true;
    this.pump();
  }

  get running(): number[] {
    return [...this.active.keys()];
  }

  async shutdown(o: { pauseRunning?: boolean } = {}): Promise<void> {
    this.closing = true;
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

  protected accepted(): void {
    this.pump();
  }

  protected waiting(): number {
    return this.store.db.open ? queuedRuns(this.store).length : 0;
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
    for (const runId of queuedRuns(this.store)) {
      if (this.active.size >= this.concurrency) break;
      if (!this.active.has(runId)) this.launch(runId);
    }
    this.settled();
  }

  private launch(runId: number): void {
    const worker = this.launcher.launch(workerArgs({ dbPath: this.store.path, runId, checkpointEveryMs: this.o.checkpointEveryMs }));
    const a: Active = { runId, worker, ended: false, cancelRequested: false, killTimer: null };
    this.active.set(runId, a);
    worker.onMessage((m) => {
      if (m.runId !== runId) return;
      if (m.type === 'claimed') this.emitStatus(runId);
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
    if (!a.ended && code !== WORKER_EXIT.notClaimed) {
      // The worker died without ending the run (killed, crashed, out of memory): say so in its row.
      const row = getRunRow(this.store, a.runId);
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

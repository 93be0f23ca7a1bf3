// The job runner: each run in its own worker process, one at a time by default, the rest
// queued (the queue is the database's 'queued' runs, so it survives the app). It streams the
// workers' events to subscribers and pauses, resumes and cancels runs. Workers write their
// own rows; the runner only fills in what a worker that died could not.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EffconvError, type SerializedError } from '../contract/errors';
import type { JobEvent, RunStatus, RunSummaryRow } from '../contract/store';
import { endRun, getRunRow, getRunSummary, queuedRuns, requestRun, type Store } from '../store';
import { createRun, queueResume, recoverInterrupted, type NewRunRequest } from './runs';
import { workerArgs, WORKER_EXIT, type FromWorker, type ToWorker } from './worker-protocol';

/** A started worker process, whatever started it. */
export interface WorkerHandle {
  readonly pid: number | undefined;
  send(m: ToWorker): void;
  /** Stop it at once (SIGKILL or the platform's equivalent). */
  kill(): void;
  onMessage(f: (m: FromWorker) => void): void;
  onExit(f: (code: number | null, signal: string | null) => void): void;
}

/** Starts the worker script (out/main/worker.js) with these arguments. The Electron shell supplies one over utilityProcess.fork. */
export interface WorkerLauncher {
  launch(args: string[]): WorkerHandle;
}

/** The built worker next to the bundle that imports this module (out/main/worker.js). */
export function builtWorkerPath(): string {
  const here = import.meta.dirname;
  const candidates = [join(here, 'worker.js'), join(here, '..', 'worker.js'), join(here, '..', '..', 'out', 'main', 'worker.js')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new EffconvError('INTERNAL', `the run worker is not built (looked for ${candidates.join(', ')}; run npm run build)`, candidates[0]);
  return found;
}

/** child_process.fork of the worker: the CLI's and web mode's launcher. */
export function nodeWorkerLauncher(workerPath: string = builtWorkerPath(), env: NodeJS.ProcessEnv = process.env): WorkerLauncher {
  return {
    launch(args) {
      const child = fork(workerPath, args, { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
      return {
        get pid() {
          return child.pid;
        },
        send: (m) => {
          if (child.connected) child.send(m);
        },
        kill: () => child.kill('SIGKILL'),
        onMessage: (f) => child.on('message', (m) => f(m as FromWorker)),
        onExit: (f) => child.on('exit', (code, signal) => f(code, signal)),
      };
    },
  };
}

export interface JobRunnerOptions {
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

export class JobRunner {
  private readonly store: Store;
  private readonly launcher: WorkerLauncher;
  private readonly concurrency: number;
  private readonly active = new Map<number, Active>();
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private readonly idleWaiters: (() => void)[] = [];
  private started = false;
  private closing = false;

  constructor(private readonly o: JobRunnerOptions) {
    this.store = o.store;
    this.launcher = o.launcher;
    this.concurrency = o.concurrency ?? 1;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new EffconvError('INVALID_ARGUMENT', `concurrency must be an integer >= 1, got ${o.concurrency}`, 'concurrency');
  }

  /** Mark runs whose process died as interrupted, then start what is queued. */
  start(): number[] {
    const interrupted = recoverInterrupted(this.store);
    for (const id of interrupted) this.emitStatus(id);
    this.started = true;
    this.pump();
    return interrupted;
  }

  subscribe(f: (e: JobEvent) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  /** Run ids this runner's workers are running now. */
  get running(): number[] {
    return [...this.active.keys()];
  }

  /** Record a run and queue it. */
  submit(r: NewRunRequest): RunSummaryRow {
    const run = createRun(this.store, r);
    this.emitStatus(run.id);
    this.pump();
    return getRunSummary(this.store, run.id);
  }

  /** Queue a paused, interrupted, failed or cancelled run to continue from its last checkpoint. */
  resume(runId: number): RunSummaryRow {
    queueResume(this.store, runId);
    this.emitStatus(runId);
    this.pump();
    return getRunSummary(this.store, runId);
  }

  /** Pause: a running run checkpoints at its next step and stops ('paused'); a queued one leaves the queue paused. */
  pause(runId: number): RunSummaryRow {
    const row = getRunRow(this.store, runId);
    if (row.status === 'queued') {
      this.endIf(runId, 'queued', 'paused');
    } else if (row.status === 'running') {
      requestRun(this.store, runId, 'pause'); // reaches workers of other runners and CLI runs too
      this.active.get(runId)?.worker.send({ type: 'pause' });
    } else {
      throw new EffconvError('RUN_STATE', `run ${runId} is ${row.status}; only queued or running runs can be paused`, String(runId));
    }
    return getRunSummary(this.store, runId);
  }

  /** Cancel: a running run stops before its next step ('cancelled', not 'failed'); a queued or stopped one is marked cancelled. */
  cancel(runId: number): RunSummaryRow {
    const row = getRunRow(this.store, runId);
    if (row.status === 'running') {
      requestRun(this.store, runId, 'cancel');
      const a = this.active.get(runId);
      if (a) {
        a.cancelRequested = true;
        a.worker.send({ type: 'cancel' });
        a.killTimer ??= setTimeout(() => a.worker.kill(), this.o.cancelGraceMs ?? 30_000);
      }
    } else if (row.status === 'queued' || row.status === 'paused' || row.status === 'interrupted') {
      this.endIf(runId, row.status, 'cancelled');
    } else {
      throw new EffconvError('RUN_STATE', `run ${runId} is already ${row.status}`, String(runId));
    }
    return getRunSummary(this.store, runId);
  }

  /** Resolves when no worker of this runner is running and nothing is queued. */
  idle(): Promise<void> {
    if (this.active.size === 0 && queuedRuns(this.store).length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stop starting runs; with pauseRunning, ask running workers to checkpoint and stop, and wait
   * for them (the app is quitting). Without it, workers keep running on their own.
   */
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

  private endIf(runId: number, from: RunStatus, to: RunStatus): void {
    this.store.write(() => {
      if (getRunRow(this.store, runId).status === from) endRun(this.store, runId, to);
    });
    this.emitStatus(runId);
  }

  private emit(e: JobEvent): void {
    for (const f of this.listeners) {
      try {
        f(e);
      } catch {
        // A listener's failure must not stop the runner or other listeners.
      }
    }
  }

  private emitStatus(runId: number, error?: SerializedError | null): void {
    const r = getRunSummary(this.store, runId);
    this.emit({ type: 'status', runId, status: r.status, error: error ?? r.error });
  }

  private pump(): void {
    if (!this.started || this.closing || !this.store.db.open) return;
    for (const runId of queuedRuns(this.store)) {
      if (this.active.size >= this.concurrency) break;
      if (!this.active.has(runId)) this.launch(runId);
    }
    if (this.active.size === 0) {
      for (const f of this.idleWaiters.splice(0)) f();
    }
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
        else endRun(this.store, a.runId, 'interrupted', { code: 'INTERNAL', message: `the run's process ${how}`, detail: '' });
      } else if (row.status === 'queued') {
        // It died before claiming the run (bad install, missing native module): do not retry forever.
        endRun(this.store, a.runId, 'failed', { code: 'INTERNAL', message: `the run's process ${how} before starting`, detail: '' });
      }
      this.emitStatus(a.runId);
    }
    this.pump();
  }
}

// Where recorded runs execute, behind one interface: the local queue of worker processes
// (desktop and web), this very process (the CLI), and later a fleet of machines. What a run
// is and how it is recorded stays in records/; an executor only decides where it runs and
// passes pause/cancel requests on.
import { EffconvError, type SerializedError } from '../../contract/errors';
import type { RunExecutorEvent, RunRow, RunStatus } from '../../contract/store';
import { endRun, findRunRow, getRunRow, getRunSummary, requestRun, toRunSummary, type Store } from '../../store';
import { createRun, queueResume, type NewRunRequest } from '../records/run-records';

export interface RunExecutor {
  /** Take up work: recover runs whose process died and start what is waiting. */
  start(): void;
  /** Record a run and have it executed. */
  submit(r: NewRunRequest): RunRow;
  /** Have runs executed that are already recorded as queued (a sweep's points, recorded together). */
  enqueue(runIds: readonly number[]): void;
  /** Continue a paused, interrupted, failed or cancelled run from its last checkpoint. */
  resume(runId: number): RunRow;
  /** A running run checkpoints at its next step and stops ('paused'); a queued one leaves the queue paused. */
  pause(runId: number): RunRow;
  /** A running run stops before its next step ('cancelled', not 'failed'); a queued or stopped one is marked cancelled. */
  cancel(runId: number): RunRow;
  /** Ids of the runs this executor is driving now. */
  readonly running: number[];
  subscribe(f: (e: RunExecutorEvent) => void): () => void;
  /** Resolves when this executor drives no run and has none waiting. */
  idle(): Promise<void>;
  /** Stop taking work; with pauseRunning, running runs checkpoint and pause first (the app quits). */
  shutdown(o?: { pauseRunning?: boolean }): Promise<void>;
}

/** What the local executors share: recording, status events, and requests to runs driven elsewhere. */
export abstract class LocalRunExecutor implements RunExecutor {
  private readonly listeners = new Set<(e: RunExecutorEvent) => void>();
  private readonly idleWaiters: (() => void)[] = [];

  constructor(protected readonly store: Store) {}

  abstract start(): void;
  abstract get running(): number[];
  abstract shutdown(o?: { pauseRunning?: boolean }): Promise<void>;
  /** A run was queued (new or resumed): execute it, or let the queue take it. */
  protected abstract accepted(runId: number): void;
  /** Tell the worker driving one of this executor's runs to pause or cancel. */
  protected abstract signal(runId: number, request: 'pause' | 'cancel'): void;
  /** Runs waiting for this executor. */
  protected abstract waiting(): number;

  subscribe(f: (e: RunExecutorEvent) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  submit(r: NewRunRequest): RunRow {
    const run = createRun(this.store, r);
    this.emitStatus(run.id);
    this.accepted(run.id);
    return getRunSummary(this.store, run.id);
  }

  enqueue(runIds: readonly number[]): void {
    for (const id of runIds) this.emitStatus(id);
    for (const id of runIds) this.accepted(id);
  }

  resume(runId: number): RunRow {
    queueResume(this.store, runId);
    this.emitStatus(runId);
    this.accepted(runId);
    return getRunSummary(this.store, runId);
  }

  pause(runId: number): RunRow {
    const row = getRunRow(this.store, runId);
    if (row.status === 'queued') {
      this.endIf(runId, 'queued', 'paused');
    } else if (row.status === 'running') {
      requestRun(this.store, runId, 'pause'); // reaches the workers of other processes and CLI runs too
      if (this.running.includes(runId)) this.signal(runId, 'pause');
    } else {
      throw new EffconvError('RUN_STATE', `run ${runId} is ${row.status}; only queued or running runs can be paused`, String(runId));
    }
    return getRunSummary(this.store, runId);
  }

  cancel(runId: number): RunRow {
    const row = getRunRow(this.store, runId);
    if (row.status === 'running') {
      requestRun(this.store, runId, 'cancel');
      if (this.running.includes(runId)) this.signal(runId, 'cancel');
    } else if (row.status === 'queued' || row.status === 'paused' || row.status === 'interrupted') {
      this.endIf(runId, row.status, 'cancelled');
    } else {
      throw new EffconvError('RUN_STATE', `run ${runId} is already ${row.status}`, String(runId));
    }
    return getRunSummary(this.store, runId);
  }

  idle(): Promise<void> {
    if (this.running.length === 0 && this.waiting() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Subclasses call this when a run of theirs ended. */
  protected settled(): void {
    if (this.running.length === 0 && this.waiting() === 0) for (const f of this.idleWaiters.splice(0)) f();
  }

  protected endIf(runId: number, from: RunStatus, to: RunStatus): void {
    this.store.write(() => {
      if (getRunRow(this.store, runId).status === from) endRun(this.store, runId, to);
    });
    this.emitStatus(runId);
  }

  protected emit(e: RunExecutorEvent): void {
    for (const f of this.listeners) {
      try {
        f(e);
      } catch {
        // A listener's failure must not stop the executor or other listeners.
      }
    }
  }

  protected emitStatus(runId: number, error?: SerializedError | null): void {
    const row = findRunRow(this.store, runId);
    if (!row) return; // deleted meanwhile: there is no status to tell
    const r = toRunSummary(row);
    this.emit({ type: 'status', runId, status: r.status, error: error ?? r.error });
  }
}

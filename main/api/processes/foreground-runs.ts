// Runs executed in this very process (the CLI: `effconv run` trains in the terminal that
// started it). Each submitted or resumed run is claimed at once and driven to an end here; no
// other queued run is touched, so a CLI never takes the desktop app's queue.
import type { Store } from '../../store';
import { claimForThisProcess, recoverInterrupted } from '../records/run-records';
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
    return 0;
  }

  protected signal(runId: number, request: 'pause' | 'cancel'): void {
    const a = this.active.get(runId);
    if (!a) return;
    if (request === 'pause') a.pause = true;
    else a.abort.abort();
  }

  protected accepted(runId: number): void {
    if (this.closing) return;
    claimForThisProcess(this.store, runId);
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

// Messages between the run queue and a run's worker process (over child_process IPC or
// Electron's utilityProcess port). Plain JSON values only.
import type { SerializedError } from '../../contract/errors';
import type { TrainEvent } from '../../contract/events';
import type { RunStatus } from '../../contract/store';

export type ToWorker = { type: 'pause' } | { type: 'cancel' };

export type FromWorker =
  /** The worker took the run (status 'running', its pid recorded). */
  | { type: 'claimed'; runId: number; pid: number }
  | { type: 'event'; runId: number; event: TrainEvent }
  /** The run ended in this worker; the database already says so. */
  | { type: 'end'; runId: number; status: RunStatus; error: SerializedError | null };

/** How the runner tells the worker which run to take: argv after the script. */
export function workerArgs(o: { dbPath: string; runId: number; checkpointEveryMs?: number }): string[] {
  return ['--db', o.dbPath, '--run', String(o.runId), ...(o.checkpointEveryMs !== undefined ? ['--checkpoint-ms', String(o.checkpointEveryMs)] : [])];
}

/** Exit codes of the worker. */
export const WORKER_EXIT = { done: 0, failed: 1, badArguments: 2, notClaimed: 3 } as const;

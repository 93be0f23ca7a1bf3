// Between a worker and the sandboxed process that executes one job: the job as a file it
// reads at start, and structured-clone messages over IPC (no Redis, no database in there).
import type { KernelMaps } from '../../../contract/api';
import type { SerializedError } from '../../../contract/errors';
import type { TrainEvent } from '../../../contract/events';
import type { RunOptions } from '../../../contract/run';
import type { RunResult } from '../../run/pipeline';
import type { RunStartInfo } from '../../run/resumable-stages';

export const JOB_SCRIPT = 'fleet-job.js';

export interface JobSpec {
  runId: number;
  /** The run's options, its dataset renamed to this worker's library entry. */
  options: RunOptions;
  /** A checkpoint file to continue from (verified by the worker), or null. */
  resumeFrom: string | null;
  checkpointEveryMs: number;
  /** Checkpoints and weights are written here for the worker to send on. */
  scratchDir: string;
}

export type ToJob = { type: 'pause' } | { type: 'cancel' };

export type FromJob =
  | { type: 'started'; info: RunStartInfo }
  | { type: 'event'; event: TrainEvent }
  /** A checkpoint file in the scratch folder; the job goes on (or stops, if a pause was asked). */
  | { type: 'checkpoint'; path: string; kernelMaps: KernelMaps }
  | { type: 'end'; status: 'completed' | 'paused' | 'cancelled' | 'failed'; error: SerializedError | null; result: RunResult | null; weightsPath: string | null };

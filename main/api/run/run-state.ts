// Everything a run needs to continue exactly where it stopped: which stage, the next batch,
// the model's and optimizers' values, and what earlier stages produced. Batches are a pure
// function of (seed, epoch, index), so no RNG state beyond the position is needed.
import { EffconvError } from '../../contract/errors';
import type { Stage } from '../../contract/events';
import type { OptimizerState } from '../../engine/train/optimizer-state';
import type { EvalResult } from '../../engine/train/plain-model';
import type { LoopPosition } from '../../engine/train/run-search';
import type { MetricsMark } from '../../store';

export type CheckpointReason = 'epoch' | 'timer' | 'pause';

export type TensorMap = Record<string, { shape: number[]; data: Float32Array }>;

/** Seconds and count of the epochs a stage finished (an epoch split by a resume counts its parts' time, not the downtime). */
export interface EpochTiming {
  seconds: number;
  epochs: number;
}

/** The unfinished epoch at a checkpoint: sums over its steps so far, so its epoch row covers all of them after a resume. */
export interface EpochSoFar {
  lossSum: number;
  accSum: number;
  steps: number;
  seconds: number;
}

export interface SearchDone {
  soft: number[];
  hard: number[];
  steps: number;
  secondsPerEpoch: number;
}

export interface SavedRunState {
  stage: Stage;
  /** The next batch to train in this stage. */
  next: LoopPosition;
  stepsPerEpoch: number;
  reason: CheckpointReason;
  dataset: { name: string; sha256: string | null };
  backend: string;
  params: TensorMap;
  optimizers: Record<string, OptimizerState>;
  /** Stage 1: the sizes now; stage 2: the sizes being trained. */
  soft: number[] | null;
  hard: number[];
  /** The finished search, in a stage-2 checkpoint of a two-stage run. */
  search: SearchDone | null;
  /** Stage 2: the test result of the last finished epoch. */
  lastEval: EvalResult | null;
  timing: Record<Stage, EpochTiming>;
  epochSoFar: EpochSoFar;
}

export const emptyEpoch = (): EpochSoFar => ({ lossSum: 0, accSum: 0, steps: 0, seconds: 0 });

export const emptyTiming = (): Record<Stage, EpochTiming> => ({ 1: { seconds: 0, epochs: 0 }, 2: { seconds: 0, epochs: 0 } });

/** The metric rows a checkpoint accounts for: everything after it is recorded again on resume. */
export function metricsMark(s: Pick<SavedRunState, 'stage' | 'next' | 'stepsPerEpoch'>): MetricsMark {
  return { stage: s.stage, steps: s.next.epoch * s.stepsPerEpoch + s.next.index, epochs: s.next.epoch };
}

/** A checkpoint only fits the data and backend it was made with; say which differs. */
export function checkResumable(s: SavedRunState, now: { stage: Stage; stepsPerEpoch: number; dataset: { name: string; sha256: string | null }; backend: string }): void {
  if (s.dataset.sha256 && now.dataset.sha256 && s.dataset.sha256 !== now.dataset.sha256) {
    throw new EffconvError('RUN_STATE', `dataset ${now.dataset.name} changed since the checkpoint (sha256 ${s.dataset.sha256.slice(0, 12)}… then, ${now.dataset.sha256.slice(0, 12)}… now)`, 'dataset');
  }
  if (s.stage === now.stage && s.stepsPerEpoch !== now.stepsPerEpoch) {
    throw new EffconvError('RUN_STATE', `the checkpoint has ${s.stepsPerEpoch} steps an epoch but the data now gives ${now.stepsPerEpoch}`, 'dataset');
  }
  if (s.backend !== now.backend) {
    throw new EffconvError('RUN_STATE', `the checkpoint was made on the ${s.backend} backend, not ${now.backend}: results would differ`, 'backend');
  }
}

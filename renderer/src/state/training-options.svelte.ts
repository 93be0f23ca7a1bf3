// The training options a single run and a sweep share (epochs, batches, limits, backend), as
// one form state both modes of "New experiment" bind to.
import { DEFAULT_RUN_OPTIONS, type BackendChoice, type RunOptions } from '../../../main/contract/run';
import type { SweepRunOptions } from '../../../main/contract/sweep';

/** The fields of RunOptions this form state holds. */
type Training = Pick<RunOptions, 'searchEpochs' | 'trainEpochs' | 'batchSize' | 'trainBatchSize' | 'backend' | 'limitTrain' | 'limitTest'>;

export class TrainingOptions {
  searchEpochs = $state(DEFAULT_RUN_OPTIONS.searchEpochs);
  trainEpochs = $state(DEFAULT_RUN_OPTIONS.trainEpochs);
  batchSize = $state(DEFAULT_RUN_OPTIONS.batchSize);
  trainBatchSize = $state(DEFAULT_RUN_OPTIONS.trainBatchSize);
  backend = $state<BackendChoice>(DEFAULT_RUN_OPTIONS.backend);
  limitTrain = $state<number | null>(null);
  limitTest = $state<number | null>(null);

  constructor(start: Training = DEFAULT_RUN_OPTIONS) {
    this.copyFrom(start);
  }

  /** Whether the epochs, batches and limits are those of `o` (the backend aside). */
  matches(o: Training): boolean {
    return this.searchEpochs === o.searchEpochs && this.trainEpochs === o.trainEpochs && this.batchSize === o.batchSize &&
      this.trainBatchSize === o.trainBatchSize && this.limitTrain === (o.limitTrain ?? null) && this.limitTest === (o.limitTest ?? null);
  }

  /** The options as the Api takes them (an empty limit means all images). */
  get shared(): SweepRunOptions {
    return {
      searchEpochs: this.searchEpochs, trainEpochs: this.trainEpochs, batchSize: this.batchSize, trainBatchSize: this.trainBatchSize, backend: this.backend,
      ...(this.limitTrain ? { limitTrain: this.limitTrain } : {}),
      ...(this.limitTest ? { limitTest: this.limitTest } : {}),
    };
  }

  /** Take a recorded run's options ("New from this run"), or a preset's. */
  copyFrom(o: Training): void {
    this.searchEpochs = o.searchEpochs;
    this.trainEpochs = o.trainEpochs;
    this.batchSize = o.batchSize;
    this.trainBatchSize = o.trainBatchSize;
    this.backend = o.backend;
    this.limitTrain = o.limitTrain ?? null;
    this.limitTest = o.limitTest ?? null;
  }
}

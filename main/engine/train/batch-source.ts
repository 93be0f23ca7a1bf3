// What the trainers need from a data set. The data layer implements these; a batch is a
// pure function of (epoch, index) so a resumed run sees exactly the batches it would have.

export interface Batch {
  /** Normalised images, NHWC, float32. */
  x: Float32Array;
  labels: Int32Array;
  size: number;
}

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

export interface TrainBatches {
  readonly shape: ImageShape;
  readonly classes: number;
  readonly batchSize: number;
  readonly batchesPerEpoch: number;
  batch(epoch: number, index: number): Promise<Batch>;
  /** Optional hint that (epoch, index) will be asked for next, so it can be prepared now. */
  prefetch?(epoch: number, index: number): void;
}

export interface EvalBatches {
  readonly shape: ImageShape;
  readonly classes: number;
  readonly count: number;
  /** Sequential, unaugmented batches covering the whole split once. */
  batches(batchSize: number): AsyncIterable<Batch>;
}

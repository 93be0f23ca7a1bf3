// How fast the training feed builds batches (for `npm run bench`, beside the step times): the
// in-thread builder, and the worker thread as the trainer uses it (ask for i+1, take i).
import type { ImageSet } from './image-set';
import { TrainSampler, type Augment } from './sampler';

export interface LoaderOptions {
  batchSize?: number;
  /** Batches timed (after two warm-up batches). */
  batches?: number;
  augment?: Augment;
  /** Build on the worker thread through prefetch (true) or in the calling thread (false). */
  background?: boolean;
  seed?: number;
}

export interface LoaderMeasurement {
  imagesPerSecond: number;
  batchesPerSecond: number;
  msPerBatch: number;
  batchSize: number;
  batches: number;
  background: boolean;
  /** Batches that really came from the worker (equals `batches` when background works). */
  servedInBackground: number;
}

export async function measureLoader(set: Pick<ImageSet, 'height' | 'width' | 'channels' | 'classes' | 'mean' | 'std' | 'train'>, opts: LoaderOptions = {}): Promise<LoaderMeasurement> {
  const batchSize = opts.batchSize ?? 128;
  const background = opts.background ?? false;
  const augment = opts.augment ?? { crop: 4, flip: true };
  const sampler = new TrainSampler(set, set.train, batchSize, opts.seed ?? 0, augment, { background });
  const per = sampler.batchesPerEpoch;
  const want = opts.batches ?? 50;
  const at = (k: number) => ({ epoch: Math.floor(k / per), index: k % per });
  try {
    const take = async (k: number) => {
      const { epoch, index } = at(k);
      const b = await sampler.batch(epoch, index);
      if (background) {
        const next = at(k + 1);
        sampler.prefetch(next.epoch, next.index);
      }
      return b;
    };
    // Warm-up: the worker starts and the first permutation is drawn.
    if (background) sampler.prefetch(0, 0);
    await take(0);
    await take(1);
    const served0 = sampler.servedInBackground;
    const t0 = performance.now();
    for (let k = 2; k < want + 2; k++) await take(k);
    const seconds = (performance.now() - t0) / 1000;
    return {
      imagesPerSecond: (want * batchSize) / seconds, batchesPerSecond: want / seconds, msPerBatch: (seconds * 1000) / want,
      batchSize, batches: want, background, servedInBackground: sampler.servedInBackground - served0,
    };
  } finally {
    await sampler.close();
  }
}

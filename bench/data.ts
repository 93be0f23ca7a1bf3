// Real CIFAR-10 images for benchmarks: the binary-format subset in the shared data folder (its
// first 4,000 records of data_batch_1) where there is one, else the repository's fixture (the
// first 250 records of the same file), so `npm run bench` works in any clone.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { MemorySplit, channelStats, type ImageSet } from '../main/data/image-set';
import { parseCifarRecords } from '../main/data/importers/cifar-binary';
import { TrainSampler } from '../main/data/sampler';
import type { Batch } from '../main/engine/train/batch-source';

const here = dirname(fileURLToPath(import.meta.url));

export function sharedDataDir(): string {
  return process.env.EFFCONV_SHARED_DATA ?? resolve(here, '..', '..', 'shared', 'data');
}

/** data_batch_1's first records (binary format, gzip): the shared folder's 4,000, else the fixture's 250. */
export function cifarBatchFile(): string {
  const shared = join(sharedDataDir(), 'cifar10', 'bin-subset', 'data_batch_1.bin.gz');
  return existsSync(shared) ? shared : resolve(here, '..', 'test', 'fixtures', 'cifar10', 'bin-subset', 'data_batch_1.bin.gz');
}

/** The first records of CIFAR-10's data_batch_1 (exact pixels). */
export function cifarSubset(): ImageSet {
  const file = cifarBatchFile();
  if (!existsSync(file)) throw new Error(`${file} is missing (set EFFCONV_SHARED_DATA to the shared data folder)`);
  const r = parseCifarRecords(gunzipSync(readFileSync(file)), file, 1, 10);
  const split = new MemorySplit(r.pixels, r.labels, 32 * 32 * 3);
  const { mean, std } = channelStats(split, 3);
  return {
    name: 'cifar10-subset', height: 32, width: 32, channels: 3, classes: 10,
    classNames: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
    mean, std, flipSafe: true, sha256: null, train: split, test: split,
  };
}

/** The batches every step bench cycles through (crop 4 + flip): four, or as many whole ones as
 * the images give (the repository's fixture: 250 images, three at batch 64). */
export function benchBatches(data: ImageSet, batchSize = 64): Batch[] {
  const sampler = new TrainSampler(data, data.train, batchSize, 0, { crop: 4, flip: true });
  const count = Math.min(4, Math.floor(data.train.count / batchSize));
  return Array.from({ length: count }, (_, i) => sampler.batchSync(0, i));
}

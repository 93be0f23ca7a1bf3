// Open a library entry as an ImageSet. Splits up to a memory limit (default 1 GiB for the
// pixels of both, EFFCONV_DATASET_MEMORY_MB to change) are read whole into shared memory;
// bigger ones (ImageNet-32: 3.9 GB) are read from their file image by image.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EffconvError } from '../../contract/errors';
import { FileSplit } from '../file-split';
import { MemorySplit, sharedBytes, type ImageSet, type ImageSplit } from '../image-set';
import { getDataset } from './catalog';
import { settings } from '../../common/settings';
import { entryDir } from './layout';
import { labelFile, pixelFile, type DatasetRecord, type SplitName } from './record';

export interface OpenOptions {
  /** Read splits into memory when their pixels total at most this many bytes. */
  inMemoryBytes?: number;
}

export function defaultInMemoryBytes(): number {
  return settings().datasetMemoryMb * 1024 * 1024;
}

function readWhole(path: string, into: Uint8Array, expected: number): void {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size !== expected) throw new EffconvError('DATASET_MALFORMED', `${path}: ${size} bytes, the library record says ${expected} (the entry is damaged: remove and re-import it)`, path);
    let got = 0;
    while (got < expected) {
      const n = readSync(fd, into, got, expected - got, got);
      if (n === 0) throw new EffconvError('DATASET_MALFORMED', `${path}: shorter than its record says`, path);
      got += n;
    }
  } finally {
    closeSync(fd);
  }
}

function readLabels(dir: string, split: SplitName, count: number): Uint16Array {
  const raw = new Uint8Array(count * 2);
  readWhole(join(dir, labelFile(split)), raw, count * 2);
  const view = new DataView(raw.buffer);
  const labels = new Uint16Array(count);
  for (let i = 0; i < count; i++) labels[i] = view.getUint16(i * 2, true);
  return labels;
}

function openSplit(r: DatasetRecord, dir: string, split: 'train' | 'test', inMemory: boolean): ImageSplit {
  const s = r.splits[split];
  const imageBytes = r.height * r.width * r.channels;
  const labels = readLabels(dir, split, s.count);
  const path = join(dir, pixelFile(split));
  if (inMemory) {
    const pixels = sharedBytes(s.bytes);
    readWhole(path, pixels, s.bytes);
    return new MemorySplit(pixels, labels, imageBytes);
  }
  const size = statSync(path).size;
  if (size !== s.bytes) throw new EffconvError('DATASET_MALFORMED', `${path}: ${size} bytes, the library record says ${s.bytes} (the entry is damaged: remove and re-import it)`, path);
  return new FileSplit(path, s.count, imageBytes, labels);
}

export function openLibraryDataset(name: string, opts: OpenOptions = {}): ImageSet {
  const r = getDataset(name);
  const dir = entryDir(name);
  const inMemory = r.splits.train.bytes + r.splits.test.bytes <= (opts.inMemoryBytes ?? defaultInMemoryBytes());
  return {
    name: r.name, height: r.height, width: r.width, channels: r.channels, classes: r.classes, classNames: r.classNames,
    mean: r.mean, std: r.std, flipSafe: r.flipSafe, sha256: r.sha256,
    train: openSplit(r, dir, 'train', inMemory),
    test: openSplit(r, dir, 'test', inMemory),
  };
}

// Open an MNIST-style idx folder directly as an in-memory ImageSet (no import needed: the
// files are already what training reads). Its sha256 is the library's: importing the same
// folder gives the same checksum.
import { basename, resolve } from 'node:path';
import { EffconvError } from '../contract/errors';
import { channelStats, MemorySplit, sharedBytes, type ImageSet } from './image-set';
import { DIGIT_CLASSES, FASHION_MNIST_CLASSES } from './importers/class-names';
import { findIdxFiles, pickIdxFolder, readIdxSplit } from './importers/idx';
import { checkIdxLabels } from './importers/idx-import';
import { idxMissingReason } from './importers/idx-names';
import { malformed } from './malformed';
import { datasetChecksum, labelBytes, sha256Hex } from './library/record';


export function openIdxFolder(dir: string, name?: string): ImageSet {
  const files = findIdxFiles(dir);
  const pick = files ? null : pickIdxFolder(dir);
  if (pick && pick.missing.length < 4) throw malformed(dir, idxMissingReason(pick.missing));
  if (!files) {
    throw new EffconvError('DATASET_NOT_FOUND', `${dir}: no MNIST-style idx files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-…)`, dir);
  }
  const train = readIdxSplit(files.train);
  const test = readIdxSplit(files.test);
  if (train.images.rows !== test.images.rows || train.images.cols !== test.images.cols) {
    throw new EffconvError('DATASET_MALFORMED', `${dir}: train images are ${train.images.rows}×${train.images.cols} but test images are ${test.images.rows}×${test.images.cols}`, dir);
  }
  const classes = checkIdxLabels(train.labels, test.labels, files.train.labels, files.test.labels);
  const fashion = /fashion/i.test(resolve(dir));
  const per = train.images.rows * train.images.cols;
  // Shared memory, so the background batch worker reads the same pixels without a copy.
  const shared = (src: Uint8Array) => {
    const out = sharedBytes(src.length);
    out.set(src);
    return out;
  };
  const trainSplit = new MemorySplit(shared(train.images.pixels), Uint16Array.from(train.labels), per);
  const testSplit = new MemorySplit(shared(test.images.pixels), Uint16Array.from(test.labels), per);
  const sha256 = datasetChecksum({ height: train.images.rows, width: train.images.cols, channels: 1 }, [
    { name: 'train', pixels: sha256Hex(trainSplit.pixels), labels: sha256Hex(labelBytes(trainSplit.labels)) },
    { name: 'test', pixels: sha256Hex(testSplit.pixels), labels: sha256Hex(labelBytes(testSplit.labels)) },
  ]);
  const stats = channelStats(trainSplit, 1);
  return {
    name: name ?? (fashion ? 'fashion-mnist' : basename(resolve(dir))),
    height: train.images.rows,
    width: train.images.cols,
    channels: 1,
    classes,
    classNames: classes === 10 ? [...(fashion ? FASHION_MNIST_CLASSES : DIGIT_CLASSES)] : Array.from({ length: classes }, (_, i) => String(i)),
    mean: stats.mean,
    std: stats.std,
    flipSafe: false,
    sha256,
    train: trainSplit,
    test: testSplit,
  };
}

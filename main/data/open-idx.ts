// Open an MNIST-style idx folder directly as an in-memory ImageSet.
import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { EffconvError } from '../contract/errors';
import { channelStats, MemorySplit, type ImageSet } from './image-set';
import { findIdxFiles, readIdxSplit } from './importers/idx';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
export const DIGIT_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export function openIdxFolder(dir: string, name?: string): ImageSet {
  const files = findIdxFiles(dir);
  if (!files) {
    throw new EffconvError('DATASET_NOT_FOUND', `${dir}: no MNIST-style idx files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-…)`, dir);
  }
  const train = readIdxSplit(files.train);
  const test = readIdxSplit(files.test);
  if (train.images.rows !== test.images.rows || train.images.cols !== test.images.cols) {
    throw new EffconvError('DATASET_MALFORMED', `${dir}: train images are ${train.images.rows}×${train.images.cols} but test images are ${test.images.rows}×${test.images.cols}`, dir);
  }
  const classes = Math.max(...train.labels, ...test.labels) + 1;
  if (classes > 256) throw new EffconvError('DATASET_MALFORMED', `${files.train.labels}: label ${classes - 1} out of range`, files.train.labels);
  const fashion = /fashion/i.test(resolve(dir));
  const per = train.images.rows * train.images.cols;
  const trainSplit = new MemorySplit(train.images.pixels, Uint16Array.from(train.labels), per);
  const testSplit = new MemorySplit(test.images.pixels, Uint16Array.from(test.labels), per);
  const hash = createHash('sha256');
  for (const part of [train.images.pixels, train.labels, test.images.pixels, test.labels]) hash.update(part);
  const stats = channelStats(trainSplit, 1);
  return {
    name: name ?? (fashion ? 'fashion-mnist' : basename(resolve(dir))),
    height: train.images.rows,
    width: train.images.cols,
    channels: 1,
    classes,
    classNames: classes === 10 ? (fashion ? FASHION_MNIST_CLASSES : DIGIT_CLASSES) : Array.from({ length: classes }, (_, i) => String(i)),
    mean: stats.mean,
    std: stats.std,
    flipSafe: false,
    sha256: hash.digest('hex'),
    train: trainSplit,
    test: testSplit,
  };
}

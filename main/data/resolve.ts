// Turn the user's --dataset (a known name or a path) into an opened ImageSet.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { EffconvError } from '../contract/errors';
import type { ImageSet } from './image-set';
import { openIdxFolder } from './open-idx';

/** Where Debian's dataset-fashion-mnist package puts the files. */
export const DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

const WELL_KNOWN: Record<string, string> = {
  'fashion-mnist': DEBIAN_FASHION_MNIST,
};

export function openDataset(spec: string): ImageSet {
  const known = WELL_KNOWN[spec.toLowerCase()];
  if (known && existsSync(known)) return openIdxFolder(known, spec.toLowerCase());
  const path = resolve(spec);
  if (!existsSync(path)) {
    const hint = known ? ` (expected at ${known}: apt-get install dataset-fashion-mnist)` : '';
    throw new EffconvError('DATASET_NOT_FOUND', `dataset "${spec}" not found${hint}`, spec);
  }
  if (!statSync(path).isDirectory()) throw new EffconvError('DATASET_NOT_FOUND', `${path}: not a folder of idx files`, path);
  return openIdxFolder(path);
}

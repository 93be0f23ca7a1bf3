// Real data for tests: Debian's dataset-fashion-mnist (installed by .ci/run) and the
// project's shared data folder next to the checkout.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImageSet } from '../../main/data/image-set';
import { openIdxFolder } from '../../main/data/open-idx';
import { DEBIAN_FASHION_MNIST } from '../../main/data/resolve';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared data folder: EFFCONV_SHARED_DATA, else ../shared/data beside the checkout (or the main checkout, from a git worktree). */
export function sharedDataDir(): string {
  const candidates = [process.env.EFFCONV_SHARED_DATA, join(REPO_ROOT, '..', 'shared', 'data'), '/work/shared/data'].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`the shared test data folder is missing (looked in ${candidates.join(', ')}; set EFFCONV_SHARED_DATA)`);
  return found;
}

export function sharedData(...parts: string[]): string {
  const p = join(sharedDataDir(), ...parts);
  if (!existsSync(p)) throw new Error(`test data ${p} is missing`);
  return p;
}

let fashion: ImageSet | null = null;

export function fashionMnist(): ImageSet {
  if (!existsSync(DEBIAN_FASHION_MNIST)) throw new Error(`${DEBIAN_FASHION_MNIST} is missing: apt-get install dataset-fashion-mnist`);
  fashion ??= openIdxFolder(DEBIAN_FASHION_MNIST, 'fashion-mnist');
  return fashion;
}

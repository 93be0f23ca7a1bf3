// Real data for tests, all inside the repository: the cuts of real data sets in test/fixtures/
// (each folder's SOURCE.md gives its provenance, licence and expected counts) and what the app
// ships in resources/. Nothing outside the checkout is read.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import type { ImageSet } from '../../main/data/image-set';
import { importDataset, type DatasetRecord } from '../../main/data/library';
import { openIdxFolder } from '../../main/data/open-idx';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');

/** A path inside test/fixtures/ that must exist. */
export function fixture(...parts: string[]): string {
  const p = join(FIXTURES, ...parts);
  if (!existsSync(p)) throw new Error(`test fixture ${p} is missing (see test/fixtures/README.md)`);
  return p;
}

/** Fashion-MNIST's fixture: first 2,000 train / 1,000 test images (fashion-mnist/SOURCE.md). */
export const FASHION = {
  train: 2000,
  test: 1000,
  trainPerClass: [194, 216, 202, 195, 186, 200, 194, 215, 198, 200],
  testPerClass: [107, 105, 111, 93, 115, 87, 97, 95, 95, 95],
  /** Training pixel mean, 0…255. */
  mean: 72.4043,
};

let fashion: ImageSet | null = null;

/** The Fashion-MNIST fixture opened directly from its idx files. */
export function fashionMnist(): ImageSet {
  fashion ??= openIdxFolder(fixture('fashion-mnist'), 'fashion-mnist');
  return fashion;
}

/** Import the Fashion-MNIST fixture as "fashion-mnist" into the library of `home` (EFFCONV_HOME by default). */
export async function addFashionMnist(home = process.env.EFFCONV_HOME): Promise<DatasetRecord> {
  if (!home) throw new Error('addFashionMnist: no EFFCONV_HOME to import into');
  const saved = process.env.EFFCONV_HOME;
  process.env.EFFCONV_HOME = home;
  try {
    return (await importDataset(fixture('fashion-mnist'), { name: 'fashion-mnist' })).dataset;
  } finally {
    if (saved === undefined) delete process.env.EFFCONV_HOME;
    else process.env.EFFCONV_HOME = saved;
  }
}

/**
 * This test file's EFFCONV_HOME (a new temporary one unless given), with the Fashion-MNIST
 * fixture in its library as "fashion-mnist", so runs that name `--dataset fashion-mnist` read
 * the repository's data; worker processes inherit it. Await it at the top of the file: Node 20
 * runs top-level before() hooks as they are registered, without waiting for the previous one.
 */
export async function withFashionMnist(home?: string): Promise<string> {
  const h = home ?? mkdtempSync(join(tmpdir(), 'effconv-home-'));
  if (!home) after(() => rmSync(h, { recursive: true, force: true }));
  process.env.EFFCONV_HOME = h;
  await addFashionMnist(h);
  return h;
}

// The idx file names are defined once (idx-names.ts) for detection, import and opening by path.
// Before, opening by path knew no "test-images.idx3-ubyte" (import did), and a missing file
// was named by a regular expression.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EffconvError } from '../../../main/contract/errors';
import { importDataset } from '../../../main/data/library';
import { openIdxFolder } from '../../../main/data/open-idx';
import { openDataset } from '../../../main/data/resolve';
import { idxMissingReason, pickIdxFiles } from '../../../main/data/importers/idx-names';
import { assertNamed, hostile, snapshot } from '../../helpers/hostile';
import { FIXTURES } from '../../helpers/data';
import { useTempLibrary } from '../../helpers/library';

const { work, datasets } = useTempLibrary('effconv-idxnames-');

function folder(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [to, from] of Object.entries(files)) copyFileSync(hostile('mnist', from), join(dir, to));
  return dir;
}

const standard = {
  'train-images-idx3-ubyte.gz': 'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz': 'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz': 't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz': 't10k-labels-idx1-ubyte.gz',
};

test('every spelling the importer takes also opens by path, with the same checksum (test-images.idx3-ubyte included)', async () => {
  const spelled = folder('dotted', {
    'train-images.idx3-ubyte.gz': 'train-images-idx3-ubyte.gz',
    'train-labels.idx1-ubyte.gz': 'train-labels-idx1-ubyte.gz',
    'test-images.idx3-ubyte.gz': 't10k-images-idx3-ubyte.gz',
    'test-labels.idx1-ubyte.gz': 't10k-labels-idx1-ubyte.gz',
  });
  const opened = openDataset(spelled);
  assert.equal(opened.train.count, 120);
  assert.equal(opened.test.count, 40);
  const imported = (await importDataset(spelled, { name: 'dotted' })).dataset;
  assert.equal(imported.sha256, opened.sha256);
  assert.equal(openIdxFolder(folder('plain', standard)).sha256, opened.sha256);
});

test('of several candidates the same one is picked everywhere: plain before .gz, t10k before test', () => {
  const p = pickIdxFiles(['test-images-idx3-ubyte', 't10k-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte', 'train-images-idx3-ubyte.gz']);
  assert.equal(p.found.testImages, 't10k-images-idx3-ubyte');
  assert.equal(p.found.trainImages, 'train-images-idx3-ubyte.gz');
  assert.deepEqual(p.missing, ['trainLabels', 'testLabels']);
});

test('a missing idx file is named as the user must supply it, by import and by path, and nothing is added', async () => {
  const { 'train-labels-idx1-ubyte.gz': _, ...three } = standard;
  const dir = folder('three', three);
  const before = snapshot(datasets);
  const want = /three: train-labels-idx1-ubyte \(or train-labels-idx1-ubyte\.gz\) is missing/;
  await assert.rejects(importDataset(dir, { name: 'three' }), (e: unknown) => {
    assertNamed(e, want, ['DATASET_MALFORMED']);
    assert.doesNotMatch(e.message, /\^|\\\./, 'no regular expression in the message');
    return true;
  });
  assert.throws(() => openDataset(dir), (e: unknown) => e instanceof EffconvError && want.test(e.message));
  assert.deepEqual(snapshot(datasets), before);
  // Without the test images the folder is still recognised as an idx set that lacks them.
  rmSync(join(dir, 't10k-images-idx3-ubyte.gz'));
  await assert.rejects(importDataset(dir, { name: 'two' }), (e: unknown) => {
    assertNamed(e, /train-labels-idx1-ubyte \(or train-labels-idx1-ubyte\.gz\) is missing, and so is t10k-images-idx3-ubyte/, ['DATASET_MALFORMED']);
    return true;
  });
  // Only the test pair (as MNIST's test set alone) is a set of its own: a fraction of it is held out, and the note says so.
  // (The repository's MNIST test subset: every digit appears in it, unlike the 40-image hostile one.)
  const pair = join(work, 'pair');
  mkdirSync(pair);
  for (const f of ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) copyFileSync(join(FIXTURES, 'mnist', f), join(pair, f));
  const held = (await importDataset(pair, { name: 'pair', testFraction: 0.25 })).dataset;
  assert.equal(held.splits.train.count + held.splits.test.count, 500);
  assert.ok(held.notes.some((n) => /held out as the test split/.test(n)));
  assert.match(idxMissingReason(['testLabels']), /^t10k-labels-idx1-ubyte \(or t10k-labels-idx1-ubyte\.gz\) is missing: an idx set needs/);
});

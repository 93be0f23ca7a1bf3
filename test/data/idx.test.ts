// Bad idx input gets a clear error naming the file and the reason. The bad files are made
// here from the real Fashion-MNIST files (the fixture) by cutting or altering their bytes.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, test } from 'node:test';
import { EffconvError } from '../../main/contract/errors';
import { openIdxFolder } from '../../main/data/open-idx';
import { FASHION, fixture } from '../helpers/data';

const dir = mkdtempSync(join(tmpdir(), 'effconv-idx-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const raw = (name: string) => gunzipSync(readFileSync(fixture('fashion-mnist', `${name}.gz`)));

function folder(edit: (files: Record<string, Buffer>) => void): string {
  const files: Record<string, Buffer> = {};
  for (const n of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) files[n] = raw(n);
  files['t10k-images-idx3-ubyte'] = files['t10k-images-idx3-ubyte'].subarray(0, 16 + 784 * 50);
  files['t10k-images-idx3-ubyte'].writeUInt32BE(50, 4);
  files['t10k-labels-idx1-ubyte'] = files['t10k-labels-idx1-ubyte'].subarray(0, 8 + 50);
  files['t10k-labels-idx1-ubyte'].writeUInt32BE(50, 4);
  edit(files);
  const d = mkdtempSync(join(dir, 'case-'));
  for (const [n, b] of Object.entries(files)) writeFileSync(join(d, n), b);
  return d;
}

const fails = (d: string, pattern: RegExp) =>
  assert.throws(() => openIdxFolder(d), (e: unknown) => e instanceof EffconvError && pattern.test(e.message), pattern.source);

test('uncompressed idx files with a small test split open correctly', () => {
  const s = openIdxFolder(folder(() => {}));
  assert.equal(s.train.count, FASHION.train);
  assert.equal(s.test.count, 50);
  assert.equal(s.height, 28);
});

test('wrong magic number: names the file and both numbers', () => {
  fails(folder((f) => f['train-images-idx3-ubyte'].writeUInt32BE(2049, 0)), /train-images-idx3-ubyte: magic number 2049, expected 2051.*label file/);
  fails(folder((f) => f['t10k-labels-idx1-ubyte'].writeUInt32BE(1234, 0)), /t10k-labels-idx1-ubyte: magic number 1234, expected 2049/);
});

test('truncated file: the header promises more images than there are bytes', () => {
  fails(folder((f) => (f['t10k-images-idx3-ubyte'] = f['t10k-images-idx3-ubyte'].subarray(0, 16 + 784 * 20))), /t10k-images-idx3-ubyte: truncated: header says 50 images.*20 whole images/);
});

test('image/label count mismatch', () => {
  fails(folder((f) => {
    f['t10k-labels-idx1-ubyte'] = f['t10k-labels-idx1-ubyte'].subarray(0, 8 + 40);
    f['t10k-labels-idx1-ubyte'].writeUInt32BE(40, 4);
  }), /t10k-labels-idx1-ubyte: 40 labels for 50 images/);
});

test('a folder without idx files says what it looked for', () => {
  assert.throws(() => openIdxFolder(dir), (e: unknown) => e instanceof EffconvError && e.code === 'DATASET_NOT_FOUND' && /train-images-idx3-ubyte/.test(e.message));
});

// STL-10 binary. There is no STL-10 data on this machine, so the files are written here in the
// STL-10 layout from REAL pixels: CIFAR-10 records upscaled 3× by repeating pixels (32 → 96),
// stored as STL-10 stores them (per image: R, G, B planes, each column-major), labels 1…10.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import { EffconvError } from '../../../main/contract/errors';
import { parseCifarRecords } from '../../../main/data/importers/cifar-binary';
import { importDataset, openLibraryDataset } from '../../../main/data/library';
import { fixture } from '../../helpers/data';
import { listing, run, useTempLibrary } from '../../helpers/library';

const { work, datasets } = useTempLibrary('effconv-stl-');
const cifarFile = fixture('cifar10', 'bin-subset', 'data_batch_1.bin.gz');
const cifar = parseCifarRecords(gunzipSync(readFileSync(cifarFile)), cifarFile, 1, 10);
const px = (i: number, ch: number, y: number, x: number) => cifar.pixels[i * 3072 + (y * 32 + x) * 3 + ch];

function stlImages(first: number, n: number): Buffer {
  const out = Buffer.alloc(n * 27648);
  for (let k = 0; k < n; k++) {
    for (let ch = 0; ch < 3; ch++) {
      for (let col = 0; col < 96; col++) {
        for (let row = 0; row < 96; row++) out[k * 27648 + ch * 9216 + col * 96 + row] = px(first + k, ch, Math.floor(row / 3), Math.floor(col / 3));
      }
    }
  }
  return out;
}
const stlLabels = (first: number, n: number) => Buffer.from(Array.from(cifar.labels.subarray(first, first + n), (l) => l + 1));

function makeSet(name: string, edit: (files: Record<string, Buffer>) => void = () => {}): string {
  const files: Record<string, Buffer> = {
    'train_X.bin': stlImages(0, 120), 'train_y.bin': stlLabels(0, 120),
    'test_X.bin': stlImages(120, 60), 'test_y.bin': stlLabels(120, 60),
    'unlabeled_X.bin': stlImages(180, 20),
    'class_names.txt': Buffer.from('airplane\nbird\ncar\ncat\ndeer\ndog\nhorse\nmonkey\nship\ntruck\n'),
  };
  edit(files);
  const dir = join(work, name, 'stl10_binary');
  mkdirSync(dir, { recursive: true });
  for (const [f, b] of Object.entries(files)) writeFileSync(join(dir, f), b);
  return join(work, name);
}
const good = makeSet('good');

test('STL-10 binary imports column-major 96×96×3 images exactly, labels 1…10 as 0…9, unlabeled left out', async () => {
  const d = (await importDataset(good, { name: 'stl' })).dataset;
  assert.equal(d.sourceFormat, 'stl10');
  assert.deepEqual([d.height, d.width, d.channels], [96, 96, 3]);
  assert.equal(d.splits.train.count, 120);
  assert.equal(d.splits.test.count, 60);
  assert.equal(d.splits.unlabeled, undefined);
  assert.equal(d.classNames[7], 'monkey');
  const s = openLibraryDataset('stl');
  for (const i of [0, 57, 119]) {
    const img = s.train.image(i);
    for (const [y, x, ch] of [[0, 0, 0], [95, 0, 1], [0, 95, 2], [50, 20, 0], [31, 77, 1]]) {
      assert.equal(img[(y * 96 + x) * 3 + ch], px(i, ch, Math.floor(y / 3), Math.floor(x / 3)), `image ${i} (${y},${x},${ch})`);
    }
    assert.equal(s.train.labels[i], cifar.labels[i]);
  }
});

test('--unlabeled stores the unlabeled images; --size 32 brings the 3× images back to the CIFAR pixels', async () => {
  const d = (await importDataset(good, { name: 'stl-32', size: 32, unlabeled: true })).dataset;
  assert.equal(d.splits.unlabeled!.count, 20);
  assert.deepEqual([d.height, d.width], [32, 32]);
  const s = openLibraryDataset('stl-32');
  let diff = 0;
  for (let i = 0; i < 20; i++) {
    const img = s.train.image(i);
    for (let j = 0; j < 3072; j++) diff += Math.abs(img[j] - cifar.pixels[i * 3072 + j]);
  }
  // Each 3×3 block is one CIFAR pixel, so a good downscale returns it (Lanczos rings a little at edges).
  assert.ok(diff / (20 * 3072) < 2, `mean abs difference ${diff / (20 * 3072)}`);
});

test('the .tar.gz as downloaded holds the same data: reported as a duplicate, nothing added', async () => {
  const tgz = join(work, 'stl10_binary.tar.gz');
  run('tar', ['-czf', tgz, '-C', good, 'stl10_binary']);
  const before = listing(datasets);
  const r = await importDataset(tgz);
  assert.equal(r.created, false);
  assert.equal(r.duplicateOf, 'stl');
  assert.deepEqual(listing(datasets), before);
});

async function fails(dir: string, pattern: RegExp) {
  const before = listing(datasets);
  await assert.rejects(importDataset(dir, { name: 'bad-stl' }), (e: unknown) => e instanceof EffconvError && e.code === 'DATASET_MALFORMED' && pattern.test(e.message), pattern.source);
  assert.deepEqual(listing(datasets), before, 'the library is unchanged');
}

test('truncated images, labels out of range, and a count mismatch get named errors', async () => {
  await fails(makeSet('cut', (f) => (f['test_X.bin'] = f['test_X.bin'].subarray(0, 27648 * 59 + 1000))), /test_X\.bin: 1632232 bytes is not a whole number of 27648-byte 96×96×3 images/);
  await fails(makeSet('label', (f) => (f['train_y.bin'][33] = 11)), /train_y\.bin: label 11 of image 33 is out of range 1…10/);
  await fails(makeSet('label0', (f) => (f['test_y.bin'][0] = 0)), /test_y\.bin: label 0 of image 0 is out of range 1…10/);
  await fails(makeSet('count', (f) => (f['train_y.bin'] = f['train_y.bin'].subarray(0, 119))), /train_y\.bin: 119 labels for 120 images in train_X\.bin/);
});

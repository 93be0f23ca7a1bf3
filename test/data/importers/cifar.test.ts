// CIFAR-10 and CIFAR-100 binary versions: the CIFAR-10 fixture (gzip per file, 250, 4×25 and
// 100 records), the layout of the .tar.gz as downloaded, and CIFAR-100's coarse+fine records,
// which (no CIFAR-100 data being here) are written from REAL CIFAR-10 records with two label
// bytes. The expected class counts come from the separate label files of the subset.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import { EffconvError } from '../../../main/contract/errors';
import { importDataset, openLibraryDataset } from '../../../main/data/library';
import { fixture } from '../../helpers/data';
import { listing, run, useTempLibrary } from '../../helpers/library';

const { work, datasets } = useTempLibrary('effconv-cifar-');
const batches = ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch'];
const raw = Object.fromEntries(batches.map((b) => [b, gunzipSync(readFileSync(fixture('cifar10', 'bin-subset', `${b}.bin.gz`)))]));
const count = (b: string) => raw[b].length / 3073;

function histogram(labels: Uint8Array | Uint16Array, classes: number): number[] {
  const h = new Array(classes).fill(0);
  for (const l of labels) h[l] += 1;
  return h;
}

test('the CIFAR-10 fixture (gzipped files, a prefix of each batch) imports with the counts its label files give', async () => {
  const d = (await importDataset(fixture('cifar10'))).dataset;
  assert.equal(d.name, 'cifar-10');
  assert.equal(d.splits.train.count, 250 + 4 * 25);
  assert.equal(d.splits.test.count, 100);
  const expectTrain = new Array(10).fill(0);
  for (const b of batches.slice(0, 5)) {
    const labels = readFileSync(fixture('cifar10', 'labels', `${b}.labels`)).subarray(0, count(b));
    histogram(labels, 10).forEach((n, c) => (expectTrain[c] += n));
  }
  assert.deepEqual(d.splits.train.perClass, expectTrain);
  assert.deepEqual(d.splits.test.perClass, histogram(readFileSync(fixture('cifar10', 'labels', 'test_batch.labels')).subarray(0, 100), 10));
  assert.deepEqual(d.splits.test.perClass, [10, 6, 8, 10, 7, 8, 16, 11, 13, 11]); // SOURCE.md
  assert.deepEqual(d.classNames, ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
  // Pixels: record k of data_batch_2 is train image 250 + k; CIFAR rows are channel planes.
  const s = openLibraryDataset('cifar-10');
  const rec = raw.data_batch_2.subarray(7 * 3073, 8 * 3073);
  const img = s.train.image(257);
  for (const [y, x, c] of [[0, 0, 0], [31, 31, 2], [12, 5, 1], [20, 30, 0]]) assert.equal(img[(y * 32 + x) * 3 + c], rec[1 + c * 1024 + y * 32 + x]);
  assert.equal(s.train.labels[257], rec[0]);
  // Channel means of the 350 training records (SOURCE.md, numpy: 125.44 / 122.63 / 112.58).
  d.mean.forEach((m, c) => assert.ok(Math.abs(m * 255 - [125.44, 122.63, 112.58][c]) < 0.01, `mean ${c}: ${m * 255}`));
});

test('the .tar.gz layout as downloaded (cifar-10-batches-bin/, uncompressed, batches.meta.txt)', async () => {
  const dir = join(work, 'dl', 'cifar-10-batches-bin');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'data_batch_1.bin'), raw.data_batch_1.subarray(0, 3073 * 200));
  writeFileSync(join(dir, 'test_batch.bin'), raw.test_batch.subarray(0, 3073 * 50));
  writeFileSync(join(dir, 'batches.meta.txt'), 'Airplane\nAutomobile\nBird\nCat\nDeer\nDog\nFrog\nHorse\nShip\nTruck\n\n');
  const tgz = join(work, 'cifar-10-binary.tar.gz');
  run('tar', ['-czf', tgz, '-C', join(work, 'dl'), 'cifar-10-batches-bin']);
  const d = (await importDataset(tgz, { name: 'cifar-dl' })).dataset;
  assert.equal(d.splits.train.count, 200);
  assert.equal(d.splits.test.count, 50);
  assert.equal(d.classNames[9], 'Truck');
  assert.equal(d.source, tgz);
});

test('CIFAR-100 (coarse + fine label bytes, names files): fine classes by default, coarse when asked', async () => {
  const dir = join(work, 'c100', 'cifar-100-binary');
  mkdirSync(dir, { recursive: true });
  const relabel = (src: Buffer, n: number) => {
    const out = Buffer.alloc(n * 3074);
    for (let i = 0; i < n; i++) {
      const label = src[i * 3073];
      out[i * 3074] = label * 2 + (i % 2); // coarse 0…19
      out[i * 3074 + 1] = label * 10 + (i % 10); // fine 0…99
      src.copy(out, i * 3074 + 2, i * 3073 + 1, (i + 1) * 3073);
    }
    return out;
  };
  writeFileSync(join(dir, 'train.bin'), relabel(raw.data_batch_1, 250));
  writeFileSync(join(dir, 'test.bin'), relabel(raw.test_batch, 100));
  writeFileSync(join(dir, 'fine_label_names.txt'), Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n') + '\n');
  writeFileSync(join(dir, 'coarse_label_names.txt'), Array.from({ length: 20 }, (_, i) => `coarse${i}`).join('\n') + '\n');
  const fine = (await importDataset(join(work, 'c100'))).dataset;
  assert.equal(fine.name, 'cifar-100');
  assert.equal(fine.classes, 100);
  assert.equal(fine.classNames[42], 'fine42');
  assert.equal(fine.coarseClassNames?.length, 20);
  const coarse = (await importDataset(join(work, 'c100'), { labels: 'coarse' })).dataset;
  assert.equal(coarse.name, 'cifar-100-coarse');
  assert.equal(coarse.classes, 20);
  const labels1 = Array.from({ length: 250 }, (_, i) => raw.data_batch_1[i * 3073]);
  assert.deepEqual(coarse.splits.train.perClass, histogram(Uint8Array.from(labels1, (l, i) => l * 2 + (i % 2)), 20));
  const s = openLibraryDataset('cifar-100');
  assert.equal(s.train.labels[123], raw.data_batch_1[123 * 3073] * 10 + 3);
});

async function fails(dir: string, pattern: RegExp) {
  const before = listing(datasets);
  await assert.rejects(importDataset(dir, { name: 'bad-cifar' }), (e: unknown) => e instanceof EffconvError && e.code === 'DATASET_MALFORMED' && pattern.test(e.message), pattern.source);
  assert.deepEqual(listing(datasets), before, 'the library is unchanged');
}

function variant(name: string, edit: (files: Record<string, Buffer>) => void): string {
  const files: Record<string, Buffer> = { 'data_batch_1.bin': Buffer.from(raw.data_batch_1.subarray(0, 3073 * 200)), 'data_batch_2.bin': Buffer.from(raw.data_batch_2.subarray(0, 3073 * 25)), 'test_batch.bin': Buffer.from(raw.test_batch.subarray(0, 3073 * 100)) };
  edit(files);
  const dir = join(work, name);
  mkdirSync(dir);
  for (const [f, b] of Object.entries(files)) writeFileSync(join(dir, f), b);
  return dir;
}

test('a truncated batch and a label out of range get named errors and no entry', async () => {
  await fails(variant('cut', (f) => (f['data_batch_2.bin'] = f['data_batch_2.bin'].subarray(0, 3073 * 20 + 1000))), /data_batch_2\.bin: 62460 bytes is not a whole number of 3073-byte CIFAR records/);
  await fails(variant('label', (f) => (f['test_batch.bin'][3073 * 5] = 10)), /test_batch\.bin: record 5 has label 10, out of range 0…9/);
});

// The library on the repository's real fixtures (Fashion-MNIST and MNIST cuts, MNIST PNGs):
// counts per class and split, the checksum shared with a directly opened set, file-backed reads,
// samples, verify, remove, names, cancel, and the idx bad inputs (files cut or altered here)
// leaving it unchanged.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import sharp from 'sharp';
import { EffconvError } from '../../../main/contract/errors';
import { FileSplit } from '../../../main/data/file-split';
import { MemorySplit } from '../../../main/data/image-set';
import {
  datasetSamples, getDataset, importDataset, listDatasets, openLibraryDataset, removeDataset, verifyDataset,
} from '../../../main/data/library';
import { openDataset } from '../../../main/data/resolve';
import { FASHION, fashionMnist, fixture } from '../../helpers/data';
import { listing, useTempLibrary } from '../../helpers/library';

const { work, datasets } = useTempLibrary('effconv-library-');

test('Fashion-MNIST (the fixture): 2,000/1,000, its counts per class, the checksum and statistics of the directly opened set', async () => {
  const phases = new Set<string>();
  const r = await importDataset(fixture('fashion-mnist'), {}, { onProgress: (done, total, phase, eta) => {
    phases.add(phase);
    assert.ok(done <= total || total === 0, `${phase} ${done}/${total}`);
    assert.ok(Number.isNaN(eta) || eta >= 0);
  } });
  const d = r.dataset;
  assert.equal(r.created, true);
  assert.equal(d.name, 'fashion-mnist');
  assert.equal(d.sourceFormat, 'idx');
  assert.deepEqual([d.splits.train.count, d.splits.test.count], [FASHION.train, FASHION.test]);
  assert.deepEqual(d.splits.train.perClass, FASHION.trainPerClass); // fashion-mnist/SOURCE.md (numpy)
  assert.deepEqual(d.splits.test.perClass, FASHION.testPerClass);
  assert.equal(d.classNames[9], 'Ankle boot');
  assert.equal(d.flipSafe, false);
  assert.ok(Math.abs(d.mean[0] * 255 - FASHION.mean) < 0.001, `${d.mean[0] * 255}`);
  assert.ok(['read', 'write', 'verify'].every((p) => phases.has(p)), [...phases].join(' '));
  const direct = fashionMnist();
  assert.equal(d.sha256, direct.sha256, 'the same data has the same checksum imported or opened from its files');
  assert.ok(Math.abs(d.std[0] - direct.std[0]) < 1e-9);
  assert.deepEqual(readdirSync(join(datasets, 'fashion-mnist')).sort(), ['meta.json', 'test.labels', 'test.u8', 'train.labels', 'train.u8']);
});

test('re-importing identical data is detected, not duplicated', async () => {
  const before = listing(datasets);
  const r = await importDataset(fixture('fashion-mnist'), { name: 'fmnist-again' });
  assert.equal(r.created, false);
  assert.equal(r.duplicateOf, 'fashion-mnist');
  assert.deepEqual(listing(datasets), before);
});

test('library splits read back exactly, in memory or from the file, and --dataset takes the library name', () => {
  const direct = fashionMnist();
  const mem = openLibraryDataset('fashion-mnist');
  const file = openLibraryDataset('fashion-mnist', { inMemoryBytes: 0 });
  assert.ok(mem.train instanceof MemorySplit);
  assert.ok(file.train instanceof FileSplit);
  for (const i of [0, 1, 2, 1999, 1337, 1338]) {
    assert.deepEqual(file.train.image(i), direct.train.image(i), `train ${i}`);
    assert.deepEqual(mem.train.image(i), direct.train.image(i));
  }
  for (let i = 0; i < 600; i++) assert.deepEqual(file.test.image(i), direct.test.image(i)); // sequential: block reads
  assert.deepEqual(file.train.labels, direct.train.labels);
  (file.train as FileSplit).close();
  const viaSpec = openDataset('fashion-mnist');
  assert.equal(viaSpec.sha256, direct.sha256);
  assert.ok(viaSpec.train instanceof MemorySplit, 'the library entry is what --dataset names');
});

test('samples: the first images of each class as PNGs that decode to the stored pixels', async () => {
  const s = await datasetSamples('fashion-mnist', { perClass: 3, scale: 2, encoding: 'data-url' });
  assert.equal(s.classes.length, 10);
  const set = openLibraryDataset('fashion-mnist');
  for (const c of s.classes) {
    assert.equal(c.count, FASHION.trainPerClass[c.index]);
    assert.equal(c.images.length, 3);
    for (const img of c.images) assert.equal(set.train.labels[img.index], c.index);
    assert.ok(c.images[0].dataUrl!.startsWith('data:image/png;base64,'));
  }
  const first = s.classes[0].images[0];
  const { data, info } = await sharp(Buffer.from(first.png)).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [56, 56]);
  const stored = set.train.image(first.index);
  for (let y = 0; y < 56; y += 7) for (let x = 0; x < 56; x += 5) assert.equal(data[(y * 56 + x) * info.channels], stored[(y >> 1) * 28 + (x >> 1)]);
});

test('verify finds a damaged file; remove deletes the entry', async () => {
  assert.deepEqual((await verifyDataset('fashion-mnist')).problems, []);
  const mnist = (await importDataset(fixture('mnist'), { name: 'mnist' })).dataset;
  // Histograms from mnist/SOURCE.md (numpy on the fixture's label files).
  assert.deepEqual(mnist.splits.train.perClass, [97, 116, 99, 93, 105, 92, 94, 117, 87, 100]);
  assert.deepEqual(mnist.splits.test.perClass, [42, 67, 55, 45, 55, 50, 43, 49, 40, 54]);
  assert.equal(mnist.flipSafe, false);
  const f = join(datasets, 'mnist', 'test.u8');
  const b = readFileSync(f);
  b[1234] ^= 1;
  writeFileSync(f, b);
  const v = await verifyDataset('mnist');
  assert.equal(v.ok, false);
  assert.match(v.problems.join('\n'), /mnist\/test\.u8: sha256 differs from the record/);
  removeDataset('mnist');
  assert.deepEqual(listDatasets().map((d) => d.name), ['fashion-mnist']);
  assert.throws(() => getDataset('mnist'), (e: unknown) => e instanceof EffconvError && e.code === 'DATASET_NOT_FOUND' && /it has: fashion-mnist/.test(e.message));
});

test('names: invalid ones are refused; an existing name with other data needs --replace', async () => {
  await assert.rejects(importDataset(fixture('mnist'), { name: '../escape' }), (e: unknown) => e instanceof EffconvError && e.code === 'INVALID_ARGUMENT');
  await assert.rejects(importDataset(fixture('mnist'), { name: 'fashion-mnist' }), (e: unknown) => e instanceof EffconvError && e.code === 'DATASET_EXISTS' && /already has a dataset "fashion-mnist"/.test(e.message));
  const r = await importDataset(fixture('mnist-png'), { name: 'digits' });
  const again = await importDataset(fixture('mnist'), { name: 'digits', replace: true });
  assert.equal(again.replaced, true);
  assert.notEqual(again.dataset.sha256, r.dataset.sha256);
  assert.equal(getDataset('digits').splits.train.count, 1000);
  assert.ok(!readdirSync(datasets).some((n) => n.startsWith('.')), 'no temporary folders are left');
});

test('cancelling mid-import leaves nothing behind', async () => {
  const before = listing(datasets);
  const abort = new AbortController();
  await assert.rejects(
    importDataset(fixture('mnist'), { name: 'cancelled' }, { signal: abort.signal, onProgress: (done, _total, phase) => phase === 'write' && done > 0 && abort.abort() }),
    (e: unknown) => e instanceof EffconvError && e.code === 'CANCELLED',
  );
  assert.deepEqual(listing(datasets), before);
});

// idx files cut or altered from the real MNIST ones (the fixture: 1,000 train / 500 test).
function idxFolder(name: string, edit: (f: Record<string, Buffer>) => void): string {
  const files: Record<string, Buffer> = {};
  for (const n of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) files[n] = gunzipSync(readFileSync(fixture('mnist', `${n}.gz`)));
  edit(files);
  const dir = join(work, name);
  mkdirSync(dir);
  for (const [n, b] of Object.entries(files)) writeFileSync(join(dir, n), b);
  return dir;
}

async function fails(path: string, code: string, pattern: RegExp) {
  const before = listing(datasets);
  await assert.rejects(importDataset(path, { name: 'bad' }), (e: unknown) => e instanceof EffconvError && e.code === code && pattern.test(e.message), pattern.source);
  assert.deepEqual(listing(datasets), before, 'the library is unchanged');
}

test('idx bad inputs: wrong magic, truncated, label out of range, count mismatch; a missing path', async () => {
  await fails(idxFolder('magic', (f) => f['t10k-images-idx3-ubyte'].writeUInt32BE(2049, 0)), 'DATASET_MALFORMED', /t10k-images-idx3-ubyte: magic number 2049, expected 2051.*label file/);
  await fails(idxFolder('cut', (f) => (f['train-images-idx3-ubyte'] = f['train-images-idx3-ubyte'].subarray(0, 16 + 784 * 100))), 'DATASET_MALFORMED', /train-images-idx3-ubyte: truncated: header says 1000 images.*100 whole images/);
  await fails(idxFolder('label', (f) => (f['train-labels-idx1-ubyte'][8 + 17] = 200)), 'DATASET_MALFORMED', /train-labels-idx1-ubyte: label 200 of image 17 is out of range: no image has labels 10, 11, 12, 13, 14… below it/);
  await fails(idxFolder('test-label', (f) => (f['t10k-labels-idx1-ubyte'][8 + 5] = 10)), 'DATASET_MALFORMED', /t10k-labels-idx1-ubyte: label 10 of image 5 is out of range: the training labels are 0…9/);
  await fails(idxFolder('count', (f) => {
    f['t10k-labels-idx1-ubyte'] = f['t10k-labels-idx1-ubyte'].subarray(0, 8 + 450);
    f['t10k-labels-idx1-ubyte'].writeUInt32BE(450, 4);
  }), 'DATASET_MALFORMED', /t10k-labels-idx1-ubyte: 450 labels for 500 images/);
  await fails(join(work, 'no-such-folder'), 'DATASET_NOT_FOUND', /no-such-folder: no such file or folder/);
  await fails(fixture('cifar10', 'labels'), 'DATASET_NOT_FOUND', /no data set found \(looked for MNIST idx, CIFAR-10\/100 binary/);
});

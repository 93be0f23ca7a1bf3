// ImageNet-32 npz batches and the npy reader. There is no ImageNet-32 data on this machine, so
// the files are written here by numpy (Debian's python3-numpy) in the ImageNet-32 layout from
// REAL pixels: CIFAR-10 records, whose 3072 bytes after the label are exactly ImageNet-32's
// channel-major rows (1024 R, 1024 G, 1024 B). Labels are the CIFAR labels + 1 (ImageNet-32
// counts from 1).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import { EffconvError } from '../../../main/contract/errors';
import { parseCifarRecords } from '../../../main/data/importers/cifar-binary';
import { readNpyHeader } from '../../../main/data/importers/npy';
import { importDataset, openLibraryDataset } from '../../../main/data/library';
import { bufferSource, ChunkReader } from '../../../main/data/sources/chunk-reader';
import { ZipFile } from '../../../main/data/sources/zip';
import { fixture } from '../../helpers/data';
import { listing, python, useTempLibrary } from '../../helpers/library';

const { work, datasets } = useTempLibrary('effconv-in32-');
const cifarFile = fixture('cifar10', 'bin-subset', 'data_batch_1.bin.gz');
const records = parseCifarRecords(gunzipSync(readFileSync(cifarFile)), cifarFile, 1, 10);

// train_data_batch_1 (records 0…99, np.savez: stored, int64 labels, with the 'mean' key the
// originals have), train_data_batch_2 (100…179, np.savez_compressed: deflate, int32 labels),
// val_data (180…239, compressed).
const WRITE = `
import numpy as np, gzip, sys
raw = np.frombuffer(gzip.open(sys.argv[1]).read(), dtype=np.uint8).reshape(-1, 3073)
out = sys.argv[2]
def part(a, b): return raw[a:b, 1:].copy(), raw[a:b, 0].astype(np.int64) + 1
d, l = part(0, 100); np.savez(out + '/train_data_batch_1.npz', data=d, labels=l, mean=d.mean(0))
d, l = part(100, 180); np.savez_compressed(out + '/train_data_batch_2.npz', data=d, labels=l.astype('<i4'))
d, l = part(180, 240); np.savez_compressed(out + '/val_data.npz', data=d, labels=l)
`;
const set = join(work, 'Imagenet32');
mkdirSync(set);
python(WRITE, cifarFile, set);

function hwc(i: number): Uint8Array {
  return records.pixels.subarray(i * 3072, (i + 1) * 3072);
}

test('ImageNet-32 npz batches (stored and deflated, int64 and int32 labels) import with exact pixels and 1-based labels made 0-based', async () => {
  const r = await importDataset(set, { name: 'in32' });
  const d = r.dataset;
  assert.equal(d.sourceFormat, 'imagenet32');
  assert.equal(d.splits.train.count, 180);
  assert.equal(d.splits.test.count, 60);
  assert.equal(d.height, 32);
  assert.equal(d.classes, 10);
  assert.deepEqual(d.classNames, ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  const s = openLibraryDataset('in32');
  for (const i of [0, 1, 99, 100, 179]) {
    assert.deepEqual(s.train.image(i), hwc(i), `train image ${i}`);
    assert.equal(s.train.labels[i], records.labels[i]);
  }
  assert.deepEqual(s.test.image(0), hwc(180));
  assert.equal(s.test.labels[59], records.labels[239]);
});

test('npy headers of format versions 1.0, 2.0 and 3.0 and several dtypes parse', async () => {
  const file = join(work, 'versions.npz');
  python(`
import numpy as np, zipfile, sys, io
from numpy.lib import format as F
raw = np.frombuffer(open(sys.argv[2], 'rb').read(), dtype=np.uint8)
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for v in [(1, 0), (2, 0), (3, 0)]:
        b = io.BytesIO(); F.write_array(b, raw[:40].reshape(4, 10), version=v); z.writestr('v%d.npy' % v[0], b.getvalue())
    b = io.BytesIO(); F.write_array(b, raw[:6].astype('>i2')); z.writestr('be.npy', b.getvalue())
`, file, cifarFile);
  const z = ZipFile.open(file);
  for (const v of [1, 2, 3]) {
    const reader = new ChunkReader(bufferSource(z.readEntry(z.find(`v${v}.npy`)!)), (e) => e as Error);
    const h = await readNpyHeader(reader, `v${v}`);
    assert.deepEqual(h.shape, [4, 10]);
    assert.equal(h.descr, '|u1');
    assert.deepEqual(await reader.exactly(40), readFileSync(cifarFile).subarray(0, 40));
  }
  const be = await readNpyHeader(new ChunkReader(bufferSource(z.readEntry(z.find('be.npy')!)), (e) => e as Error), 'be');
  assert.equal(be.descr, '>i2');
  assert.equal(be.littleEndian, false);
  z.close();
});

async function failsLeavingLibrary(path: string, pattern: RegExp, code = 'DATASET_MALFORMED') {
  const before = listing(datasets);
  await assert.rejects(importDataset(path, { name: 'bad-in32' }), (e: unknown) => e instanceof EffconvError && e.code === code && pattern.test(e.message), pattern.source);
  assert.deepEqual(listing(datasets), before, 'the library is unchanged');
}

function variant(name: string, script: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  python(`import numpy as np, gzip, sys
raw = np.frombuffer(gzip.open(sys.argv[1]).read(), dtype=np.uint8).reshape(-1, 3073)
d, l = raw[:50, 1:].copy(), raw[:50, 0].astype(np.int64) + 1
v, vl = raw[50:80, 1:].copy(), raw[50:80, 0].astype(np.int64) + 1
out = sys.argv[2]
${script}`, cifarFile, dir);
  return dir;
}

test('an npz without the expected keys names the keys it has', async () => {
  const dir = variant('keys', `np.savez(out + '/train_data_batch_1.npz', x=d, y=l); np.savez(out + '/val_data.npz', data=v, labels=vl)`);
  await failsLeavingLibrary(dir, /train_data_batch_1\.npz: no 'data' array \(the npz has: x, y\)/);
});

test('labels out of range (0: ImageNet-32 counts from 1)', async () => {
  const dir = variant('label0', `l[7] = 0; np.savez(out + '/train_data_batch_1.npz', data=d, labels=l); np.savez(out + '/val_data.npz', data=v, labels=vl)`);
  await failsLeavingLibrary(dir, /train_data_batch_1\.npz: label 0 of image 7 is out of range 1…N/);
});

test('image/label count mismatch', async () => {
  const dir = variant('count', `np.savez(out + '/train_data_batch_1.npz', data=d, labels=l[:49]); np.savez(out + '/val_data.npz', data=v, labels=vl)`);
  await failsLeavingLibrary(dir, /train_data_batch_1\.npz: 49 labels for 50 images/);
});

test('a truncated npz and a wrong npy magic number', async () => {
  const cut = variant('cut', `np.savez(out + '/train_data_batch_1.npz', data=d, labels=l); np.savez(out + '/val_data.npz', data=v, labels=vl)`);
  const f = join(cut, 'val_data.npz');
  const bytes = readFileSync(f);
  writeFileSync(f, bytes.subarray(0, bytes.length - 300));
  await failsLeavingLibrary(cut, /val_data\.npz: not a zip file \(no end-of-central-directory record; the file may be truncated\)/);

  const magic = variant('magic', `np.savez(out + '/train_data_batch_1.npz', data=d, labels=l); np.savez(out + '/val_data.npz', data=v, labels=vl)`);
  const g = join(magic, 'train_data_batch_1.npz');
  const z = ZipFile.open(g);
  const at = z.dataOffset(z.find('data.npy')!);
  z.close();
  const b = readFileSync(g);
  b.write('XNUMPY', at + 0, 'latin1');
  writeFileSync(g, b);
  await failsLeavingLibrary(magic, /train_data_batch_1\.npz:data\.npy: not a \.npy array \(bad magic number/);
});

test('a single npz file: a stratified 10 % is held out per class', async () => {
  const r = await importDataset(join(set, 'train_data_batch_2.npz'), { name: 'in32-single' });
  assert.equal(r.dataset.splits.train.count + r.dataset.splits.test.count, 80);
  const per = r.dataset.splits.test.perClass;
  const all = r.dataset.splits.train.perClass.map((n, c) => n + per[c]);
  all.forEach((n, c) => assert.equal(per[c], Math.min(n - 1, Math.max(1, Math.round(0.1 * n))), `class ${c}`));
});

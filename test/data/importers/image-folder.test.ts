// Image folders: real photos (hymenoptera: mixed sizes, a GIF, a name with a space), real MNIST
// PNGs (lossless, so the stored pixels must equal the idx file's), PNG folders made here from
// real photos at several sizes with one grayscale image, EXIF rotation, archives of a folder,
// and the bad inputs of a class folder.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import sharp from 'sharp';
import { EffconvError } from '../../../main/contract/errors';
import { parseIdxImages, readMaybeGzip } from '../../../main/data/importers/idx';
import { importDataset, openLibraryDataset } from '../../../main/data/library';
import type { ImageSplit } from '../../../main/data/image-set';
import { fixture } from '../../helpers/data';
import { listing, run, useTempLibrary } from '../../helpers/library';

const { work, datasets } = useTempLibrary('effconv-folder-');
const ants = fixture('hymenoptera', 'hymenoptera_data', 'train', 'ants');
const bees = fixture('hymenoptera', 'hymenoptera_data', 'train', 'bees');
const photo = (dir: string, name: string) => join(dir, name);
const antPhotos = ['7759525_1363d24e88.jpg', 'swiss-army-ant.jpg', 'trap-jaw-ant-insect-bg.jpg'];
const beePhotos = ['2467959963_a7831e9ff0.jpg', '17209602_fe5a5a746f.jpg', '21399619_3e61e5bb6f.jpg'];

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

/** The stored image closest to `want` and its distance (stored order is a seeded shuffle). */
function closest(splits: ImageSplit[], want: Uint8Array): number {
  let best = Infinity;
  for (const s of splits) for (let i = 0; i < s.count; i++) best = Math.min(best, meanAbsDiff(s.image(i), want));
  return best;
}

test('PNGs of several sizes plus one grayscale image import at the asked size (centre crop, gray replicated to RGB)', async () => {
  const root = join(work, 'sizes');
  const sizes = [[64, 48], [50, 80], [40, 40], [97, 31]];
  const expected: Uint8Array[] = [];
  const others: Uint8Array[] = []; // the same photos stretched or padded instead
  const square: boolean[] = [];
  for (const [cls, dir, files] of [['ants', ants, antPhotos], ['bees', bees, beePhotos]] as const) {
    mkdirSync(join(root, cls), { recursive: true });
    for (let k = 0; k < files.length; k++) {
      const [w, h] = sizes[(k + (cls === 'bees' ? 1 : 0)) % sizes.length];
      const png = await sharp(photo(dir, files[k])).resize(w, h, { fit: 'fill' }).png().toBuffer();
      writeFileSync(join(root, cls, `${cls} ${k}.png`), png);
      // What researchers expect: resize the short side to 24, crop the centre square.
      const side = Math.min(w, h);
      square.push(w === h);
      expected.push(new Uint8Array(await sharp(png).extract({ left: Math.floor((w - side) / 2), top: Math.floor((h - side) / 2), width: side, height: side }).resize(24, 24).removeAlpha().raw().toBuffer()));
      for (const fit of ['fill', 'contain'] as const) others.push(new Uint8Array(await sharp(png).resize(24, 24, { fit, background: '#000' }).removeAlpha().raw().toBuffer()));
    }
  }
  const gray = await sharp(photo(bees, beePhotos[0])).resize(30, 45, { fit: 'fill' }).toColourspace('b-w').png().toBuffer();
  assert.equal((await sharp(gray).metadata()).channels, 1);
  writeFileSync(join(root, 'bees', 'gray.png'), gray);
  const grayExpected = new Uint8Array(await sharp(gray).extract({ left: 0, top: 7, width: 30, height: 30 }).resize(24, 24).toColourspace('b-w').raw().toBuffer());
  assert.equal(grayExpected.length, 24 * 24);

  const d = (await importDataset(root, { size: 24, name: 'sizes' })).dataset;
  assert.deepEqual([d.height, d.width, d.channels], [24, 24, 3]);
  assert.deepEqual(d.classNames, ['ants', 'bees']);
  assert.equal(d.splits.train.count + d.splits.test.count, 7);
  assert.deepEqual(d.splits.test.perClass, [1, 1], 'a stratified held-out image per class');
  assert.ok(d.notes.some((n) => /1 grayscale image replicated to RGB/.test(n)), d.notes.join('; '));
  const s = openLibraryDataset('sizes');
  const all = [s.train, s.test];
  for (const [k, want] of expected.entries()) {
    // Crop-then-resize (the reference) and resize-then-crop differ by sub-pixel alignment only.
    const near = closest(all, want);
    assert.ok(near < 6, `photo ${k} stored as resize-short-side + centre-crop (${near})`);
    if (!square[k]) assert.ok(near < closest(all, others[2 * k]) / 2 && near < closest(all, others[2 * k + 1]) / 2, `photo ${k}: not stretched or padded`);
  }
  // The gray image: three equal channels, each the gray pixels.
  const rgbOfGray = new Uint8Array(24 * 24 * 3).map((_, j) => grayExpected[Math.floor(j / 3)]);
  assert.ok(closest(all, rgbOfGray) < 6, `gray image stored as RGB (${closest(all, rgbOfGray)})`);
  const grayStored = all.flatMap((sp) => Array.from({ length: sp.count }, (_, i) => sp.image(i).slice())).filter((img) => img.every((v, j) => v === img[j - (j % 3)]));
  assert.equal(grayStored.length, 1, 'exactly one stored image has R = G = B everywhere');
});

test('hymenoptera: train/ and val/ splits, mixed sizes, the GIF placeholder (first frame) and the name with a space', async () => {
  const d = (await importDataset(fixture('hymenoptera'))).dataset;
  assert.equal(d.name, 'hymenoptera');
  assert.deepEqual(d.splits.train.perClass, [6, 5]); // 5 JPEG + the GIF, 5 JPEG (SOURCE.md)
  assert.deepEqual(d.splits.test.perClass, [3, 3]);
  assert.equal(d.skipped, 0);
  assert.deepEqual([d.height, d.width, d.channels], [32, 32, 3]);
  assert.equal(d.import.testFraction, null);
  const s = openLibraryDataset('hymenoptera');
  const spaced = new Uint8Array(await sharp(photo(ants, 'ant photos.jpg')).resize(32, 32).raw().toBuffer());
  const gif = new Uint8Array(await sharp(photo(ants, 'imageNotFound.gif')).resize(32, 32).removeAlpha().toColourspace('srgb').raw().toBuffer());
  assert.ok(closest([s.train], spaced) < 1, '"ant photos.jpg" is in');
  assert.ok(closest([s.train], gif) < 1, 'the GIF is in');
});

test('MNIST PNGs (gray, lossless) are stored at their own 28×28×1 with exactly the idx pixels; only test/ there, so 10 % is held out', async () => {
  const d = (await importDataset(fixture('mnist-png'))).dataset;
  assert.deepEqual([d.height, d.width, d.channels], [28, 28, 1]);
  assert.deepEqual(d.splits.train.perClass, new Array(10).fill(27));
  assert.deepEqual(d.splits.test.perClass, new Array(10).fill(3));
  const t10k = parseIdxImages(readMaybeGzip(fixture('mnist', 't10k-images-idx3-ubyte.gz')), 't10k');
  // test/7/60000.png is t10k image 0 (SOURCE.txt): it must be stored byte for byte.
  const s = openLibraryDataset('mnist-png');
  assert.equal(closest([s.train, s.test], t10k.pixels.subarray(0, 784)), 0);
});

test('EXIF orientation is applied', async () => {
  const root = join(work, 'exif');
  for (const cls of ['a', 'b']) mkdirSync(join(root, cls), { recursive: true });
  const base = await sharp(photo(ants, antPhotos[0])).resize(60, 40, { fit: 'fill' }).jpeg({ quality: 95 }).toBuffer();
  // Orientation 6: the viewer turns the 60×40 pixels 90° clockwise into a 40×60 picture.
  writeFileSync(join(root, 'a', 'rotated.jpg'), await sharp(base).withMetadata({ orientation: 6 }).toBuffer());
  writeFileSync(join(root, 'b', 'plain.jpg'), base);
  writeFileSync(join(root, 'b', 'plain2.jpg'), base);
  writeFileSync(join(root, 'a', 'plain3.jpg'), base);
  await importDataset(root, { name: 'exif', size: 20 });
  const s = openLibraryDataset('exif');
  const upright = new Uint8Array(await sharp(base).rotate(90).resize(20, 20).raw().toBuffer());
  const unrotated = new Uint8Array(await sharp(base).resize(20, 20).raw().toBuffer());
  assert.ok(closest([s.train, s.test], upright) < 4, `rotated copy stored upright (${closest([s.train, s.test], upright)})`);
  assert.ok(meanAbsDiff(upright, unrotated) > 15, 'the test can tell the two apart');
});

test('CIFAR-10 JPEGs: 10 % held out per class, pixels near the exact CIFAR ones; a .zip and a .tar.gz of the folder are duplicates, nothing added', async () => {
  const folder = fixture('cifar10-jpeg', 'folder-subset');
  const first = await importDataset(folder, { name: 'cifar-jpeg-subset' });
  assert.equal(first.created, true);
  assert.deepEqual([first.dataset.height, first.dataset.width, first.dataset.channels], [32, 32, 3]);
  assert.equal(first.dataset.skipped, 0);
  assert.deepEqual(first.dataset.splits.train.perClass, new Array(10).fill(27));
  assert.deepEqual(first.dataset.splits.test.perClass, new Array(10).fill(3));
  // test/cat/0000.jpg is exact test record 0 (a cat) after JPEG: the shared data's check gave ~5.8 mean abs error.
  const exact = gunzipSync(readFileSync(fixture('cifar10', 'bin-subset', 'test_batch.bin.gz'))).subarray(1, 3073);
  const hwc = new Uint8Array(3072).map((_, j) => exact[(j % 3) * 1024 + Math.floor(j / 3)]);
  const s = openLibraryDataset('cifar-jpeg-subset');
  assert.ok(closest([s.train, s.test], hwc) < 13, `${closest([s.train, s.test], hwc)}`);
  const zip = join(work, 'subset.zip');
  run('zip', ['-q', '-r', zip, 'test'], folder);
  const tgz = join(work, 'subset.tar.gz');
  run('tar', ['-czf', tgz, '-C', folder, 'test']);
  const before = listing(datasets);
  for (const archive of [zip, tgz]) {
    const r = await importDataset(archive);
    assert.equal(r.duplicateOf, 'cifar-jpeg-subset', archive);
    assert.equal(r.dataset.sha256, first.dataset.sha256);
  }
  assert.deepEqual(listing(datasets), before);
});

test('non-image files in a class folder are skipped and counted, or fatal with --strict; a class with no readable image fails', async () => {
  const root = join(work, 'dirty');
  cpSync(fixture('mnist-png', 'test'), root, { recursive: true });
  rmSync(join(root, '0', '60003.png')); // not the same data as the mnist-png entry (that would be a duplicate)
  writeFileSync(join(root, '3', 'notes.txt'), 'digits from rasbt/mnist-pngs\n');
  const png = readFileSync(join(root, '5', '60008.png'));
  writeFileSync(join(root, '5', 'cut.png'), png.subarray(0, Math.floor(png.length / 2)));
  const d = (await importDataset(root, { name: 'dirty' })).dataset;
  assert.equal(d.skipped, 2);
  assert.deepEqual(d.skippedExamples.map((s) => s.path).sort(), ['3/notes.txt', '5/cut.png']);
  assert.equal(d.splits.train.count + d.splits.test.count, 299);

  const before = listing(datasets);
  await assert.rejects(importDataset(root, { name: 'dirty-strict', strict: true }), (e: unknown) => e instanceof EffconvError && e.code === 'DATASET_MALFORMED' && /dirty\/3\/notes\.txt: .*not a readable image.*--strict/.test(e.message));
  const empty = join(work, 'empty-class');
  cpSync(fixture('mnist-png', 'test'), empty, { recursive: true });
  mkdirSync(join(empty, 'ten'));
  writeFileSync(join(empty, 'ten', 'readme.txt'), 'no digit here\n');
  copyFileSync(join(root, '5', 'cut.png'), join(empty, 'ten', 'cut.png'));
  await assert.rejects(importDataset(empty, { name: 'empty-class' }), (e: unknown) => e instanceof EffconvError && e.code === 'DATASET_MALFORMED' && /empty-class\/ten: class folder has no readable image \(2 files skipped/.test(e.message));
  assert.deepEqual(listing(datasets), before, 'the library is unchanged');
});

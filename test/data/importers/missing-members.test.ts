// A data set missing one of its files is a named error that names the file the user must
// supply, whether it came as a folder, a .zip or a .tar.gz (never a smaller data set with a
// note, never a regular expression or a temporary path); the library is unchanged.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { importDataset } from '../../../main/data/library';
import { assertNamed, hostile, snapshot } from '../../helpers/hostile';
import { run, useTempLibrary } from '../../helpers/library';

const { work, datasets } = useTempLibrary('effconv-members-');
let n = 0;

/** The fixture folder `name` copied under a wrapper folder (as the tarballs ship it), minus `drop`. */
function setWithout(name: string, wrapper: string, drop: string[]): string {
  const top = join(work, `${name}-${n++}`);
  cpSync(hostile(name), join(top, wrapper), { recursive: true });
  for (const f of drop) rmSync(join(top, wrapper, f));
  return top;
}

/** The folder, its .zip and its .tar.gz: each must fail naming `member`. */
async function eachContainerFails(top: string, pattern: RegExp) {
  const zip = `${top}.zip`;
  const tgz = `${top}.tar.gz`;
  run('zip', ['-q', '-r', zip, '.'], top);
  run('tar', ['-czf', tgz, '-C', top, '.']);
  for (const path of [top, zip, tgz]) {
    const before = snapshot(datasets);
    await assert.rejects(importDataset(path, { name: 'incomplete' }), (e: unknown) => {
      assertNamed(e, pattern, ['DATASET_MALFORMED']);
      assert.ok(e.message.startsWith(path), `names the path given: ${e.message}`);
      assert.doesNotMatch(e.message, /\.import-|\^|\\\./, 'no temporary path, no regular expression');
      return true;
    });
    assert.deepEqual(snapshot(datasets), before, `${path}: the library is unchanged`);
  }
}

test('CIFAR-10 without one of its batches (in the middle, the last, the test batch)', async () => {
  await eachContainerFails(setWithout('cifar10', 'cifar-10-batches-bin', ['data_batch_3.bin']), /cifar-10-batches-bin: data_batch_3\.bin is missing: CIFAR-10 binary has data_batch_1\.bin … data_batch_5\.bin and test_batch\.bin/);
  await eachContainerFails(setWithout('cifar10', 'cifar-10-batches-bin', ['data_batch_5.bin']), /data_batch_5\.bin is missing/);
  await eachContainerFails(setWithout('cifar10', 'cifar-10-batches-bin', ['data_batch_4.bin', 'data_batch_5.bin']), /data_batch_4\.bin and data_batch_5\.bin are missing/);
  await eachContainerFails(setWithout('cifar10', 'cifar-10-batches-bin', ['test_batch.bin']), /test_batch\.bin is missing/);
});

test('the complete CIFAR-10 set imports with every record, whatever the container; a missing names file only falls back to the standard names', async () => {
  const top = setWithout('cifar10', 'cifar-10-batches-bin', ['batches.meta.txt']);
  const d = (await importDataset(top, { name: 'cifar-complete' })).dataset;
  assert.equal(d.splits.train.count, 40);
  assert.equal(d.splits.test.count, 8);
  // Labels of SOURCE.md: data_batch_1…5 in order.
  const labels = [6, 9, 9, 4, 1, 1, 2, 7, 1, 6, 6, 8, 8, 3, 4, 6, 8, 5, 0, 6, 9, 2, 8, 3, 0, 6, 0, 2, 7, 2, 1, 2, 1, 8, 5, 1, 5, 7, 4, 3];
  const hist = new Array(10).fill(0);
  for (const l of labels) hist[l] += 1;
  assert.deepEqual(d.splits.train.perClass, hist);
  assert.equal(d.classNames[0], 'airplane');
});

test('CIFAR-100, STL-10 and ImageNet-32 without a member', async () => {
  // CIFAR-100 and STL-10 layouts from the real CIFAR-10 records of the fixture.
  const rec = readFileSync(hostile('cifar10', 'data_batch_1.bin'));
  const c100 = join(work, `c100-${n++}`, 'cifar-100-binary');
  mkdirSync(c100, { recursive: true });
  const two = Buffer.concat(Array.from({ length: 8 }, (_, i) => Buffer.concat([Buffer.from([rec[i * 3073] * 2, rec[i * 3073] * 10]), rec.subarray(i * 3073 + 1, (i + 1) * 3073)])));
  writeFileSync(join(c100, 'train.bin'), two);
  await eachContainerFails(join(c100, '..'), /cifar-100-binary: test\.bin is missing: CIFAR-100 binary has train\.bin and test\.bin/);

  const stl = join(work, `stl-${n++}`, 'stl10_binary');
  mkdirSync(stl, { recursive: true });
  const image = Buffer.alloc(96 * 96 * 3);
  for (let c = 0; c < 3; c++) for (let x = 0; x < 96; x++) for (let y = 0; y < 96; y++) image[c * 9216 + x * 96 + y] = rec[1 + c * 1024 + Math.floor(y / 3) * 32 + Math.floor(x / 3)];
  writeFileSync(join(stl, 'train_X.bin'), Buffer.concat([image, image]));
  writeFileSync(join(stl, 'train_y.bin'), Buffer.from([7, 7]));
  writeFileSync(join(stl, 'test_X.bin'), image);
  await eachContainerFails(join(stl, '..'), /stl10_binary: test_y\.bin is missing: STL-10 binary has train_X\.bin, train_y\.bin, test_X\.bin, test_y\.bin/);

  const in32 = setWithout('imagenet32', 'Imagenet32', ['train_data_batch_1.npz']);
  await eachContainerFails(in32, /Imagenet32: train_data_batch_1\.npz is missing: the train batches are numbered from 1 without a gap/);
});

test('a data file that is a dangling link is named, never skipped: the set would be smaller', async () => {
  const top = setWithout('cifar10', 'cifar-10-batches-bin', ['data_batch_2.bin']);
  symlinkSync('/nonexistent/data_batch_2.bin', join(top, 'cifar-10-batches-bin', 'data_batch_2.bin'));
  const before = snapshot(datasets);
  await assert.rejects(importDataset(top, { name: 'dangling-batch' }), (e: unknown) => {
    assertNamed(e, /cifar-10-batches-bin\/data_batch_2\.bin: a dangling link \(to \/nonexistent\/data_batch_2\.bin.*one of the cifar10 data files/, ['DATASET_UNREADABLE']);
    return true;
  });
  assert.deepEqual(snapshot(datasets), before);
});

test('a damaged npz inside a .tar.gz is named by the archive and its member, not by the scratch copy it is read from', async () => {
  const top = setWithout('imagenet32', 'Imagenet32', []);
  const f = join(top, 'Imagenet32', 'val_data.npz');
  const b = readFileSync(f);
  writeFileSync(f, b.subarray(0, b.length - 40)); // the end of the central directory is gone
  const tgz = `${top}.tar.gz`;
  run('tar', ['-czf', tgz, '-C', top, '.']);
  await assert.rejects(importDataset(tgz, { name: 'cut-npz' }), (e: unknown) => {
    assertNamed(e, new RegExp(`^${tgz.replace(/[.]/g, '\\.')}:Imagenet32/val_data\\.npz: not a zip file`), ['DATASET_MALFORMED']);
    assert.doesNotMatch(`${e.message} ${e.detail}`, /\.import-|extracted-/);
    return true;
  });
});

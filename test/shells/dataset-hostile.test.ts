// The cases issue 12 found by hand, through the built CLI as a user runs it: each ends with a
// correct import or a named error (its exit status, the file or folder named as the user knows
// it), never "internal error" or a stack trace; the library is unchanged after each failure.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DatasetInfo } from '../../main/contract/api';
import { hostile, snapshot } from '../helpers/hostile';
import { run } from '../helpers/library';
import { effconvAt, NOT_A_CRASH, openTempDir } from '../helpers/mounts';

const work = openTempDir('effconv-hostile-cli-');
const home = join(work, 'home');
const datasets = join(home, 'datasets');
let n = 0;

function effconv(...args: string[]) {
  const r = effconvAt(home, args);
  assert.doesNotMatch(r.stderr, NOT_A_CRASH, 'no internal error, no stack trace');
  return r;
}

function photos(): string {
  const dir = join(work, `photos-${n++}`);
  cpSync(hostile('images'), dir, { recursive: true });
  return dir;
}

function fails(args: string[], code: number, pattern: RegExp) {
  const before = snapshot(datasets);
  const r = effconv('dataset', 'import', ...args, '--quiet');
  assert.equal(r.code, code, r.stderr);
  assert.match(r.stderr, pattern);
  assert.deepEqual(snapshot(datasets), before, 'the library is unchanged');
}

const perClass = (d: DatasetInfo) => d.counts.train.map((k, c) => k + d.counts.test[c]);

test('a class folder holding a link to itself: imported with the link skipped and reported; --strict stops naming it (exit 4)', () => {
  const dir = photos();
  symlinkSync('self.jpg', join(dir, 'cat', 'self.jpg'));
  const r = effconv('dataset', 'import', dir, '--name', 'self-link', '--json', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const d = (JSON.parse(r.stdout) as { dataset: DatasetInfo }).dataset;
  assert.deepEqual(perClass(d), [6, 6, 6]);
  assert.deepEqual(d.skippedExamples, [{ path: 'cat/self.jpg', reason: 'a link loop (too many levels of symbolic links)' }]);
  fails([dir, '--name', 'self-link-strict', '--strict'], 4, new RegExp(`${dir}/cat/self\\.jpg: a link loop \\(too many levels of symbolic links\\) \\(--strict stops at the first unreadable file\\)`));
});

test('a folder link back up the tree: every photo once, in its own class', () => {
  const dir = photos();
  symlinkSync('..', join(dir, 'ship', 'back-up'));
  symlinkSync('../cat', join(dir, 'airplane', 'cats-too'));
  const r = effconv('dataset', 'import', dir, '--name', 'up-link', '--json', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const d = (JSON.parse(r.stdout) as { dataset: DatasetInfo }).dataset;
  assert.deepEqual(d.classNames, ['airplane', 'cat', 'ship']);
  assert.deepEqual(perClass(d), [6, 6, 6]);
});

test('--strict stops at a dangling link (exit 4); without it the link is skipped and counted', () => {
  const dir = photos();
  symlinkSync(join(work, 'gone.jpg'), join(dir, 'airplane', 'gone.jpg'));
  fails([dir, '--name', 'dangling-strict', '--strict'], 4, new RegExp(`${dir}/airplane/gone\\.jpg: a dangling link \\(to ${work}/gone\\.jpg, which does not exist\\)`));
  const r = effconv('dataset', 'import', dir, '--name', 'dangling', '--seed', '7', '--quiet'); // another seed: another stored order, not a duplicate
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /skipped 1 unreadable or non-image file/);
});

test('an empty class folder is an error naming it (exit 4), in a folder and in a .tar.gz', () => {
  const dir = photos();
  mkdirSync(join(dir, 'frog'));
  fails([dir, '--name', 'empty'], 4, new RegExp(`${dir}/frog: class folder is empty`));
  const tgz = join(work, `empty-${n++}.tgz`);
  run('tar', ['-czf', tgz, '-C', dir, '.']);
  fails([tgz, '--name', 'empty-tgz'], 4, new RegExp(`${tgz}:frog: class folder is empty`));
});

test('a CIFAR-10 archive missing a batch is an error naming the batch (exit 4)', () => {
  const dir = join(work, `cifar-${n++}`);
  cpSync(hostile('cifar10'), join(dir, 'cifar-10-batches-bin'), { recursive: true });
  rmSync(join(dir, 'cifar-10-batches-bin', 'data_batch_4.bin'));
  const tgz = join(work, 'cifar-10-binary.tar.gz');
  run('tar', ['-czf', tgz, '-C', dir, 'cifar-10-batches-bin']);
  fails([tgz], 4, new RegExp(`${tgz}:cifar-10-batches-bin: data_batch_4\\.bin is missing`));
});

test('a missing idx file is named as the file to supply, not as a regular expression (exit 4)', () => {
  const dir = join(work, `mnist-${n++}`);
  cpSync(hostile('mnist'), dir, { recursive: true });
  rmSync(join(dir, 'train-labels-idx1-ubyte.gz'));
  fails([dir], 4, /train-labels-idx1-ubyte \(or train-labels-idx1-ubyte\.gz\) is missing/);
  const r = effconv('run', '--dataset', dir, '--backbone', 'resnet8', '--budget', '60k', '--quiet');
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /train-labels-idx1-ubyte \(or train-labels-idx1-ubyte\.gz\) is missing/);
});

test('a source that is a dangling link or a link loop, and a path that is a pipe: named errors (exit 4)', () => {
  const dangling = join(work, `dangling-${n++}`);
  symlinkSync(join(work, 'nowhere'), dangling);
  fails([dangling], 4, new RegExp(`${dangling}: a dangling link \\(to ${work}/nowhere, which does not exist\\)`));
  const loop = join(work, `loop-${n++}`);
  symlinkSync(loop, loop);
  fails([loop], 4, new RegExp(`cannot read ${loop}: too many levels of symbolic links \\(a link loop\\) \\(ELOOP\\)`));
  const fifo = join(work, `pipe-${n++}`);
  run('mkfifo', [fifo]);
  fails([fifo], 4, new RegExp(`${fifo}: not a folder, a \\.zip, a \\.tar\\.gz or an \\.npz file`));
});

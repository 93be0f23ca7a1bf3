// The folder walker and links, as people's folders really have them: a link to itself, a
// folder link back up the tree, a dangling link, links to files and folders elsewhere, a class
// folder that is empty. Each import either counts every photo once, in its own class, or stops
// with a named error; the library is unchanged after an error.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { importDataset } from '../../../main/data/library';
import { openTree } from '../../../main/data/sources/tree';
import { assertNamed, hostile, snapshot } from '../../helpers/hostile';
import { run, useTempLibrary } from '../../helpers/library';

const { work, datasets } = useTempLibrary('effconv-links-');
let n = 0;

/** A copy of the three-class JPEG folder (6 per class) to spoil. */
function photos(): string {
  const dir = join(work, `photos-${n++}`);
  cpSync(hostile('images'), dir, { recursive: true });
  return dir;
}

/** Each import gets its own seed, so the stored order (and the checksum) differs: no import is a duplicate of an earlier one. */
const imp = (dir: string, options: Parameters<typeof importDataset>[1] = {}) => importDataset(dir, { seed: n++, ...options });

const total = (d: { splits: { train: { perClass: number[] }; test: { perClass: number[] } } }) => d.splits.train.perClass.map((k, c) => k + d.splits.test.perClass[c]);

async function failsUnchanged(dir: string, options: Parameters<typeof importDataset>[1], pattern: RegExp) {
  const before = snapshot(datasets);
  await assert.rejects(imp(dir, options), (e: unknown) => {
    assertNamed(e, pattern);
    return true;
  });
  assert.deepEqual(snapshot(datasets), before, 'the library is unchanged');
}

test('a link to itself in a class folder is an unreadable file: skipped and reported, fatal with --strict', async () => {
  const dir = photos();
  symlinkSync('loop.jpg', join(dir, 'cat', 'loop.jpg'));
  const d = (await imp(dir, { name: 'self-link' })).dataset;
  assert.deepEqual(total(d), [6, 6, 6]);
  assert.equal(d.skipped, 1);
  assert.deepEqual(d.skippedExamples, [{ path: 'cat/loop.jpg', reason: 'a link loop (too many levels of symbolic links)' }]);
  await failsUnchanged(dir, { name: 'self-link-strict', strict: true }, /cat\/loop\.jpg: a link loop .*--strict/);
});

test('a dangling link is skipped and reported, and fatal with --strict', async () => {
  const dir = photos();
  symlinkSync('/nonexistent/photo.jpg', join(dir, 'ship', 'gone.jpg'));
  const d = (await imp(dir, { name: 'dangling' })).dataset;
  assert.deepEqual(total(d), [6, 6, 6]);
  assert.deepEqual(d.skippedExamples, [{ path: 'ship/gone.jpg', reason: 'a dangling link (to /nonexistent/photo.jpg, which does not exist)' }]);
  await failsUnchanged(dir, { name: 'dangling-strict', strict: true }, /ship\/gone\.jpg: a dangling link \(to \/nonexistent\/photo\.jpg.*--strict/);
});

test('a folder link back up the tree is not followed: each photo once, in its own class', async () => {
  const dir = photos();
  symlinkSync('..', join(dir, 'cat', 'up'));
  symlinkSync(dir, join(dir, 'airplane', 'again'));
  const d = (await imp(dir, { name: 'up-link' })).dataset;
  assert.deepEqual(d.classNames, ['airplane', 'cat', 'ship']);
  assert.deepEqual(total(d), [6, 6, 6]);
  assert.equal(d.skipped, 0);
  assert.ok(d.notes.some((x) => /folder links not followed .*cat\/up \(a link to the top folder\)/.test(x)), d.notes.join('\n'));
});

test('a class that is a link to another class is not counted twice; the real folder keeps its photos, whichever name sorts first', async () => {
  const dir = photos();
  symlinkSync('ship', join(dir, 'aaa-ships')); // sorts before "ship"
  await failsUnchanged(dir, { name: 'alias' }, /aaa-ships: a link to the folder ship, which is read already/);
});

test('links to photos elsewhere are read (once each); a link to a photo already in the tree counts once, in the real file\'s class', async () => {
  const dir = photos();
  const outside = join(work, `outside-${n++}`);
  cpSync(hostile('images', 'cat'), outside, { recursive: true });
  mkdirSync(join(dir, 'dog'));
  for (const f of ['0000.jpg', '0001.jpg', '0002.jpg']) symlinkSync(join(outside, f), join(dir, 'dog', f)); // a class made of links
  symlinkSync(join(outside, '0003.jpg'), join(dir, 'dog', 'same-as-0003.jpg'));
  symlinkSync(join(outside, '0003.jpg'), join(dir, 'dog', 'twice-0003.jpg')); // two links to one file
  symlinkSync('../airplane/0000.jpg', join(dir, 'cat', 'a-plane.jpg')); // a link into another class
  const d = (await imp(dir, { name: 'file-links' })).dataset;
  assert.deepEqual(d.classNames, ['airplane', 'cat', 'dog', 'ship']);
  assert.deepEqual(total(d), [6, 6, 4, 6]);
  assert.ok(d.notes.some((x) => /files reached twice, counted once: .*cat\/a-plane\.jpg is a link to airplane\/0000\.jpg/.test(x)), d.notes.join('\n'));
  // A folder link to a folder outside the tree is followed.
  symlinkSync(outside, join(dir, 'kitten'));
  const tree = await openTree(dir);
  assert.equal(tree.entries.filter((e) => e.path.startsWith('kitten/')).length, 2, 'kitten/ holds the 4 outside photos less the two already read through dog/');
  tree.close();
});

test('an empty class folder and a class of only unreadable links are named errors, not a smaller data set', async () => {
  const dir = photos();
  mkdirSync(join(dir, 'bird'));
  await failsUnchanged(dir, { name: 'empty-class' }, /photos-\d+\/bird: class folder is empty/);
  rmSync(join(dir, 'bird'), { recursive: true });
  mkdirSync(join(dir, 'bird'));
  symlinkSync('nowhere.jpg', join(dir, 'bird', 'x.jpg'));
  await failsUnchanged(dir, { name: 'dead-class' }, /bird: class folder has no readable image \(1 unreadable: bird\/x\.jpg: a dangling link/);
  // The same empty folder inside a .tar.gz (tar keeps folder entries).
  rmSync(join(dir, 'bird', 'x.jpg'));
  const tgz = join(work, `empty-${n++}.tar.gz`);
  run('tar', ['-czf', tgz, '-C', dir, '.']);
  await failsUnchanged(tgz, { name: 'empty-class-tgz' }, /empty-\d+\.tar\.gz:bird: class folder is empty/);
});

test('inside a .tar.gz: a link to a member counts once, a link out of the archive is skipped and reported', async () => {
  const dir = photos();
  symlinkSync('0000.jpg', join(dir, 'cat', 'copy.jpg'));
  symlinkSync('/etc/hostname', join(dir, 'ship', 'out.jpg'));
  const tgz = join(work, `links-${n++}.tar.gz`);
  run('tar', ['-czf', tgz, '-C', dir, '.']);
  const d = (await imp(tgz, { name: 'tar-links' })).dataset;
  assert.deepEqual(total(d), [6, 6, 6]);
  assert.deepEqual(d.skippedExamples, [{ path: 'ship/out.jpg', reason: 'a link to /etc/hostname, which is not in the archive' }]);
  assert.ok(d.notes.some((x) => /cat\/copy\.jpg is a link to cat\/0000\.jpg/.test(x)));
});

test('a zip holding two members of one name is refused naming it', async () => {
  const dir = photos();
  const zip = join(work, `dup-${n++}.zip`);
  run('zip', ['-q', '-r', zip, '.'], dir);
  // Info-ZIP will not add a name twice; append a second archive's entry with Python's zipfile, which allows it (with a warning).
  run('/usr/bin/python3', ['-W', 'ignore', '-c', `import zipfile,sys
with zipfile.ZipFile(sys.argv[1], 'a') as z: z.write(sys.argv[2], 'cat/0001.jpg')`, zip, hostile('images', 'ship', '0001.jpg')]);
  await failsUnchanged(zip, { name: 'dup' }, /dup-\d+\.zip:cat\/0001\.jpg: the archive holds two members of this name/);
});

test('an archive member whose name leaves the archive (../x) is never read: skipped and reported', async () => {
  const dir = photos();
  for (const kind of ['tgz', 'zip']) {
    const out = join(work, `escape-${n++}.${kind === 'tgz' ? 'tar.gz' : 'zip'}`);
    run('/usr/bin/python3', ['-W', 'ignore', '-c', `import os, sys, zipfile, tarfile
src, out, kind, evil = sys.argv[1:5]
names = sorted(os.path.relpath(os.path.join(r, f), src) for r, _, fs in os.walk(src) for f in fs)
if kind == 'zip':
    with zipfile.ZipFile(out, 'w') as z:
        for n in names: z.write(os.path.join(src, n), n)
        z.write(evil, '../evil.jpg')
else:
    with tarfile.open(out, 'w:gz') as t:
        for n in names: t.add(os.path.join(src, n), n)
        t.add(evil, '../evil.jpg')`, dir, out, kind, hostile('images', 'cat', '0000.jpg')]);
    const d = (await imp(out, { name: `escape-${kind}` })).dataset;
    assert.deepEqual(total(d), [6, 6, 6]);
    assert.deepEqual(d.skippedExamples, [{ path: '../evil.jpg', reason: "its name leaves the archive's top folder (..): not read" }]);
  }
});

// The world against `dataset import`: a full disk (a real tmpfs, filled before and during the
// import; and an ENOSPC injected at the write layer, which runs without root too), a read-only
// EFFCONV_HOME (a read-only bind mount, which root cannot write either), a home that belongs to
// another user, and source files this user may not read. Every case ends with a named error
// that says what and where (and how much space), the exit status of its class, nothing
// half-written, the library byte for byte as it was; and a retry with the fault gone works.
import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { importDataset } from '../../../main/data/library';
import { assertNamed, hostile, snapshot } from '../../helpers/hostile';
import { canRunAs, effconvAt, mountable, NOT_A_CRASH, openTempDir, readOnly, smallDisk } from '../../helpers/mounts';

const canMount = mountable();
const skipMount = canMount === true ? false : `${canMount} (the injected-ENOSPC test below covers the write layer without it)`;
const asNobody = canMount === true ? canRunAs('nobody') : canMount;
const work = openTempDir('effconv-faults-');
let n = 0;

/** Point the in-process library at `home` for the duration of fn. */
async function withHome<T>(home: string, fn: () => Promise<T>): Promise<T> {
  const was = process.env.EFFCONV_HOME;
  process.env.EFFCONV_HOME = home;
  try {
    return await fn();
  } finally {
    if (was === undefined) delete process.env.EFFCONV_HOME;
    else process.env.EFFCONV_HOME = was;
  }
}

const noLeftovers = (datasets: string) => assert.deepEqual(existsSync(datasets) ? readdirSync(datasets).filter((f) => f.startsWith('.') && f !== '.sample.json') : [], [], 'no temporary folder left');

test('a disk too small for the import: refused before writing, saying how much is needed and where (CLI, exit 6)', { skip: skipMount }, () => {
  const home = smallDisk(work, `full-${n++}`, 256 * 1024);
  assert.equal(effconvAt(home, ['dataset', 'import', hostile('digits'), '--quiet']).code, 0, 'a small set fits');
  const before = snapshot(join(home, 'datasets'));
  // 48 CIFAR images at 64×64×3: 576 KiB stored, more than the disk has.
  const r = effconvAt(home, ['dataset', 'import', hostile('cifar10'), '--size', '64', '--quiet']);
  assert.equal(r.code, 6, r.stderr);
  assert.doesNotMatch(r.stderr, NOT_A_CRASH);
  assert.match(r.stderr, new RegExp(`cannot import into the dataset library in ${home}/datasets: not enough free space \\(nothing was written\\); about 576 KiB needed in ${home}/datasets, \\d+ KiB free: free some space, or set EFFCONV_HOME to a disk with more room \\(EFFCONV_HOME is ${home}\\)`));
  assert.deepEqual(snapshot(join(home, 'datasets')), before, 'the library is unchanged');
  noLeftovers(join(home, 'datasets'));
});

test('the disk fills in the middle of the import: DISK_FULL naming the library and the space needed, nothing half-written, and the retry works once there is room', { skip: skipMount }, async () => {
  const home = smallDisk(work, `fills-${n++}`, 2 << 20);
  const datasets = join(home, 'datasets');
  await withHome(home, () => importDataset(hostile('digits'), { name: 'digits' }));
  const before = snapshot(datasets);
  const filler = join(home, 'filler');
  // Another program takes the rest of the disk just as the import starts writing its splits.
  const fill = (_d: number, _t: number, phase: string) => {
    if (phase !== 'write' || existsSync(filler)) return;
    const fd = fs.openSync(filler, 'w');
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(64 * 1024));
    } catch {
      // ENOSPC: the disk is full now
    } finally {
      fs.closeSync(fd);
    }
  };
  const err = await withHome(home, () => importDataset(hostile('cifar10'), { name: 'cifar', size: 48 }, { onProgress: fill })).then(
    () => assert.fail('the import succeeded on a full disk'),
    (e: unknown) => e,
  );
  assertNamed(err, new RegExp(`^cannot import into the dataset library in ${datasets}: no space left on the device \\(ENOSPC\\); about 324 KiB needed in ${datasets}, \\d+ B free: free some space, or set EFFCONV_HOME to a disk with more room`), ['DISK_FULL']);
  assert.equal(err.detail, datasets);
  assert.deepEqual(snapshot(datasets), before, 'the library is unchanged');
  noLeftovers(datasets);
  rmSync(filler);
  const r = await withHome(home, () => importDataset(hostile('cifar10'), { name: 'cifar', size: 48 }));
  assert.equal(r.dataset.splits.train.count, 40);
});

test('ENOSPC injected at the write layer (no mount needed): the same named error, nothing left behind', async () => {
  const home = openTempDir('effconv-inject-');
  const datasets = join(home, 'datasets');
  await withHome(home, () => importDataset(hostile('digits'), { name: 'digits' }));
  const before = snapshot(datasets);
  const real = fs.writeSync;
  let writes = 0;
  // Let the first few writes through (the temporary folder's marker), then the disk is "full".
  (fs as { writeSync: unknown }).writeSync = (...a: Parameters<typeof real>) => {
    if (++writes > 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    return real(...a);
  };
  syncBuiltinESMExports();
  try {
    await withHome(home, () => importDataset(hostile('cifar10'), { name: 'cifar' })).then(
      () => assert.fail('the import succeeded with every write failing'),
      (e: unknown) => {
        assertNamed(e, new RegExp(`^cannot import into the dataset library in ${datasets}: no space left on the device \\(ENOSPC\\); about 144 KiB needed`), ['DISK_FULL']);
      },
    );
  } finally {
    (fs as { writeSync: unknown }).writeSync = real;
    syncBuiltinESMExports();
  }
  assert.ok(writes > 2, 'the import did write');
  assert.deepEqual(snapshot(datasets), before);
  noLeftovers(datasets);
});

test('a read-only EFFCONV_HOME: import refused naming the setting and the path (exit 6); the library still lists and shows', { skip: skipMount }, () => {
  const home = join(work, `ro-${n++}`);
  mkdirSync(home);
  assert.equal(effconvAt(home, ['dataset', 'import', hostile('digits'), '--quiet']).code, 0);
  readOnly(home);
  const before = snapshot(home);
  const r = effconvAt(home, ['dataset', 'import', hostile('images'), '--quiet']);
  assert.equal(r.code, 6, r.stderr);
  assert.doesNotMatch(r.stderr, NOT_A_CRASH);
  assert.match(r.stderr, new RegExp(`cannot write the dataset library in ${home}/datasets: the file system is read-only \\(EROFS\\); EFFCONV_HOME is ${home}: make it writable by this user, or set EFFCONV_HOME to a folder you can write`));
  const list = effconvAt(home, ['dataset', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^digits\s+image-folder\s+28×28×1\s+2\s+8\s+2/m);
  assert.equal(effconvAt(home, ['dataset', 'show', 'digits']).code, 0);
  const remove = effconvAt(home, ['dataset', 'remove', 'digits']);
  assert.equal(remove.code, 6);
  assert.match(remove.stderr, /cannot move the entry "digits" out of .*read-only \(EROFS\); EFFCONV_HOME is/);
  const runs = effconvAt(home, ['runs']);
  assert.equal(runs.code, 5, runs.stderr);
  assert.doesNotMatch(runs.stderr, NOT_A_CRASH);
  assert.match(runs.stderr, new RegExp(`cannot write in ${home}: the file system is read-only \\(EROFS\\); EFFCONV_HOME is ${home}`));
  assert.deepEqual(snapshot(home), before, 'nothing changed');
});

test('EFFCONV_HOME owned by another user: import, runs and a missing home each name the setting (run as nobody)', { skip: asNobody === true ? false : asNobody }, () => {
  const home = join(work, `theirs-${n++}`);
  mkdirSync(home, { mode: 0o755 });
  const before = snapshot(home);
  const r = effconvAt(home, ['dataset', 'import', hostile('digits'), '--quiet'], { asUser: 'nobody' });
  assert.equal(r.code, 6, r.stderr);
  assert.doesNotMatch(r.stderr, NOT_A_CRASH);
  assert.match(r.stderr, new RegExp(`cannot write the dataset library in ${home}/datasets: permission denied \\(EACCES\\); EFFCONV_HOME is ${home}: make it writable by this user`));
  const runs = effconvAt(home, ['runs'], { asUser: 'nobody' });
  assert.equal(runs.code, 5, runs.stderr);
  assert.match(runs.stderr, /permission denied \(EACCES\); EFFCONV_HOME is/);
  const missing = effconvAt(join(home, 'not-yet'), ['runs'], { asUser: 'nobody' });
  assert.equal(missing.code, 6, missing.stderr);
  assert.doesNotMatch(missing.stderr, NOT_A_CRASH);
  assert.match(missing.stderr, new RegExp(`cannot create the folder ${home}/not-yet: permission denied \\(EACCES\\); EFFCONV_HOME is ${home}/not-yet`));
  assert.deepEqual(snapshot(home), before);
});

test('source files this user may not read: an unreadable photo is skipped and reported (fatal with --strict), an unreadable class folder stops the import (run as nobody)', { skip: asNobody === true ? false : asNobody }, () => {
  const home = join(work, `mine-${n++}`);
  mkdirSync(home, { mode: 0o777 });
  chmodSync(home, 0o777);
  const src = join(work, `src-${n++}`);
  cpSync(hostile('images'), src, { recursive: true });
  chmodSync(join(src, 'cat', '0003.jpg'), 0o000);
  const skipped = effconvAt(home, ['dataset', 'import', src, '--json', '--quiet'], { asUser: 'nobody' });
  assert.equal(skipped.code, 0, skipped.stderr);
  const d = (JSON.parse(skipped.stdout) as { dataset: { skipped: number; skippedExamples: { path: string; reason: string }[]; counts: { train: number[]; test: number[] } } }).dataset;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  assert.equal(sum(d.counts.train) + sum(d.counts.test), 17);
  assert.deepEqual(d.skippedExamples, [{ path: 'cat/0003.jpg', reason: 'permission denied (EACCES); check its permissions (ls -l), or copy it somewhere you can read' }]);
  const strict = effconvAt(home, ['dataset', 'import', src, '--strict', '--name', 'strict', '--quiet'], { asUser: 'nobody' });
  assert.equal(strict.code, 4, strict.stderr);
  assert.match(strict.stderr, new RegExp(`${src}/cat/0003\\.jpg: permission denied \\(EACCES\\).*--strict`));
  chmodSync(join(src, 'ship'), 0o000);
  const folder = effconvAt(home, ['dataset', 'import', src, '--name', 'nofolder', '--quiet'], { asUser: 'nobody' });
  assert.equal(folder.code, 4, folder.stderr);
  assert.doesNotMatch(folder.stderr, NOT_A_CRASH);
  assert.match(folder.stderr, new RegExp(`${src}/ship: permission denied: what it holds cannot be imported`));
  chmodSync(join(src, 'ship'), 0o755);
});


// The one place a system error (errno, path, what we were doing) becomes a named error: the
// code and exit class by errno and role, the path as given, the reason in words, what to do,
// EFFCONV_HOME named for our own files; and the shells' last-resort handlers (the CLI's and
// the dispatcher's) use it, so a system error that escapes is still not "internal error".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { dispatchCall } from '../../main/api/service/dispatch';
import { escapedSystemError, fromSystemError, isSystemError, makeFolder, namedSystemError, notEnoughSpace } from '../../main/common/system-errors';
import type { Api } from '../../main/contract/api';
import { EffconvError } from '../../main/contract/errors';
import { importDataset } from '../../main/data/library';
import { REPO_ROOT } from '../helpers/data';
import { hostile } from '../helpers/hostile';
import { withoutSample } from '../helpers/library';

const home = mkdtempSync(join(tmpdir(), 'effconv-syserr-'));
after(() => rmSync(home, { recursive: true, force: true }));
process.env.EFFCONV_HOME = home;

/** A real error from the system, as Node throws it. */
function real(fn: () => unknown): NodeJS.ErrnoException {
  try {
    fn();
  } catch (e) {
    return e as NodeJS.ErrnoException;
  }
  throw new Error('no error');
}
const fake = (code: string, syscall: string, path?: string) => Object.assign(new Error(`${code}: ${syscall}`), { code, errno: -1, syscall, ...(path ? { path } : {}) }) as NodeJS.ErrnoException;

test('only errors from the system count: ours, zlib\'s and plain errors pass through unchanged', () => {
  const enoent = real(() => openSync(join(home, 'nope'), 'r'));
  assert.ok(isSystemError(enoent));
  assert.ok(!isSystemError(new EffconvError('DATASET_MALFORMED', 'x')));
  assert.ok(!isSystemError(new Error('plain')));
  assert.ok(!isSystemError(Object.assign(new Error('z'), { code: 'Z_DATA_ERROR', errno: -3 })));
  assert.ok(!isSystemError(Object.assign(new RangeError('r'), { code: 'ERR_OUT_OF_RANGE' })));
  const ours = new EffconvError('CANCELLED', 'c');
  assert.equal(namedSystemError(ours, { action: 'read', role: 'source' }), ours);
});

test('codes by errno and role: the user\'s data set is DATASET_*, our storage DISK_FULL / PERMISSION_DENIED / IO_ERROR', () => {
  const cases: [string, 'source' | 'storage', string][] = [
    ['ENOENT', 'source', 'DATASET_NOT_FOUND'], ['EACCES', 'source', 'DATASET_UNREADABLE'], ['ELOOP', 'source', 'DATASET_UNREADABLE'], ['EIO', 'source', 'DATASET_UNREADABLE'],
    ['ENOSPC', 'storage', 'DISK_FULL'], ['EDQUOT', 'storage', 'DISK_FULL'], ['EACCES', 'storage', 'PERMISSION_DENIED'], ['EPERM', 'storage', 'PERMISSION_DENIED'],
    ['EROFS', 'storage', 'PERMISSION_DENIED'], ['EIO', 'storage', 'IO_ERROR'], ['EMFILE', 'storage', 'IO_ERROR'],
  ];
  for (const [errno, role, code] of cases) assert.equal(fromSystemError(fake(errno, 'open', '/x/y'), { action: 'read', role }).code, code, `${errno} ${role}`);
});

test('messages: what, where, why and what to do; EFFCONV_HOME named for our own files', () => {
  const lib = join(home, 'datasets');
  assert.equal(
    fromSystemError(fake('EACCES', 'mkdir', lib), { action: 'write the dataset library in', role: 'storage' }).message,
    `cannot write the dataset library in ${lib}: permission denied (EACCES); EFFCONV_HOME is ${home}: make it writable by this user, or set EFFCONV_HOME to a folder you can write`,
  );
  assert.equal(fromSystemError(fake('EACCES', 'open', '/data/cat/1.jpg'), { action: 'read', role: 'source' }).message, 'cannot read /data/cat/1.jpg: permission denied (EACCES); check its permissions (ls -l), or copy it somewhere you can read');
  assert.equal(fromSystemError(fake('EROFS', 'open', '/mnt/out/x.onnx'), { action: 'write', role: 'storage' }).message, 'cannot write /mnt/out/x.onnx: the file system is read-only (EROFS); choose a folder on a disk you can write');
  const full = fromSystemError(fake('ENOSPC', 'write'), { action: 'import into the dataset library in', path: lib, role: 'storage', needBytes: 3 << 20, spaceDir: lib });
  assert.match(full.message, new RegExp(`^cannot import into the dataset library in ${lib}: no space left on the device \\(ENOSPC\\); about 3\\.0 MiB needed in ${lib}, [\\d.]+ [KMG]i?B free: free some space, or set EFFCONV_HOME to a disk with more room`));
  assert.equal(full.detail, lib);
  assert.match(notEnoughSpace({ action: 'import into', path: lib, role: 'storage', needBytes: 1024 }).message, /not enough free space \(nothing was written\); about 1 KiB needed/);
  assert.match(fromSystemError(real(() => openSync(join(home, 'no', 'such'), 'r')), { action: 'read', role: 'source' }).message, /no such file or folder \(ENOENT\); check the path$/);
});

test('mkdir -p under a file says so (ENOTDIR), naming EFFCONV_HOME', () => {
  const file = join(home, 'a-file');
  writeFileSync(file, 'x');
  assert.throws(() => makeFolder(join(file, 'datasets'), { action: 'create the folder', role: 'storage' }), (e: unknown) => {
    assert.ok(e instanceof EffconvError && e.code === 'IO_ERROR', String(e));
    assert.match(e.message, /a part of the path is a file, not a folder \(ENOTDIR\); EFFCONV_HOME is .*: it must be a folder/);
    return true;
  });
});

test('the dispatcher names a system error that escaped a service method (IO_ERROR, not INTERNAL)', async () => {
  const blocker = join(home, 'blocker');
  writeFileSync(blocker, 'x');
  const api = { async getRun() { openSync(join(blocker, 'x'), 'w'); } } as unknown as Api;
  const r = await dispatchCall(api, 'getRun', [1]);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.code, 'IO_ERROR');
    assert.equal(r.error.message, `cannot open ${blocker}/x: a part of the path is a file, not a folder (ENOTDIR); EFFCONV_HOME is ${home}: it must be a folder`);
  }
  assert.equal(escapedSystemError(fake('ENOSPC', 'write', join(home, 'runs', '1', 'x'))).code, 'DISK_FULL');
});

test('the CLI\'s last resort: a system error no layer named is named (exit 6), never an internal error with a stack', async () => {
  await importDataset(hostile('digits'), { name: 'digits' });
  // `dataset samples --out` writes where the user says; a file in the way of that folder is the world's doing.
  const blocker = join(home, 'not-a-folder');
  writeFileSync(blocker, 'x');
  withoutSample(home);
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'effconv.js'), 'dataset', 'samples', 'digits', '--out', join(blocker, 'samples')], { encoding: 'utf8', env: { ...process.env, EFFCONV_HOME: home } });
  assert.equal(r.status, 6, r.stderr);
  assert.equal(r.stderr, `effconv: cannot create the folder ${blocker}/samples/000-3: a part of the path is a file, not a folder (ENOTDIR); EFFCONV_HOME is ${home}: it must be a folder\n`);
});

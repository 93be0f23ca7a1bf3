// Exports appear whole or not at all: a file or a folder is built under a temporary sibling
// name and renamed into place. An existing output is replaced only when forced; the old one
// is moved aside first and removed after the new one is in place. A place that cannot be
// written (permissions, a full disk, a file where a folder should be) is the user's to fix,
// so it is reported as such, after what was half-built is removed.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fsyncDir, tempSibling, writeFileAtomic } from '../common/atomic-write';
import { EffconvError } from '../contract/errors';

export function refuseExisting(path: string, force: boolean): void {
  if (!force && existsSync(path)) {
    throw new EffconvError('OUTPUT_EXISTS', `${path} already exists: choose another --out, or add --force to replace it`, path);
  }
}

const UNWRITABLE: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'a file would exceed the largest file this process may write',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENAMETOOLONG: 'the name is too long',
};

/** A file-system refusal as an error the user can act on; anything else as it was. */
function outputError(e: unknown, path: string): unknown {
  const err = e as NodeJS.ErrnoException;
  // mkdir -p over a file fails with EEXIST: the same thing as ENOTDIR further down the path.
  const code = err?.code === 'EEXIST' && err.syscall === 'mkdir' ? 'ENOTDIR' : err?.code;
  const why = typeof code === 'string' ? UNWRITABLE[code] : undefined;
  if (!why) return e;
  const where = err.path && err.path !== path ? ` (${err.syscall ?? 'writing'} ${err.path})` : '';
  return new EffconvError('OUTPUT_UNWRITABLE', `cannot write ${path}: ${why}${where} [${err.code}]; nothing was written there: choose another --out or make room`, path);
}

/** Remove what a failed export half-built; nothing there (or no folder to hold it) is fine. */
function discard(tmp: string): void {
  try {
    rmSync(tmp, { recursive: true, force: true });
  } catch {
    // ENOTDIR and the like: the temporary path could never have been created
  }
}

/** Move `tmp` to `path`, replacing what is there only when forced. */
function moveIntoPlace(tmp: string, path: string, force: boolean): void {
  refuseExisting(path, force);
  let old: string | null = null;
  if (existsSync(path)) {
    old = tempSibling(path) + '.old';
    renameSync(path, old);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    if (old) renameSync(old, path);
    throw e;
  }
  fsyncDir(dirname(path));
  if (old) rmSync(old, { recursive: true, force: true });
}

export function writeOutputFile(path: string, data: string | Uint8Array, force: boolean): void {
  refuseExisting(path, force);
  const tmp = tempSibling(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(tmp, data);
    moveIntoPlace(tmp, path, force);
  } catch (e) {
    discard(tmp);
    throw outputError(e, path);
  }
}

/** Let `fill` write the folder's files into a temporary folder, then rename it to `path`. */
export async function writeOutputFolder(path: string, force: boolean, fill: (dir: string) => Promise<void>): Promise<void> {
  refuseExisting(path, force);
  const tmp = tempSibling(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    mkdirSync(tmp);
    await fill(tmp);
    fsyncDir(tmp);
    moveIntoPlace(tmp, path, force);
  } catch (e) {
    discard(tmp);
    throw outputError(e, path);
  }
}

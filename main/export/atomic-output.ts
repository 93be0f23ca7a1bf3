// Exports appear whole or not at all: a file or a folder is built under a temporary sibling
// name and renamed into place. An existing output is replaced only when forced; the old one
// is moved aside first and removed after the new one is in place.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fsyncDir, tempSibling, writeFileAtomic } from '../common/atomic-write';
import { EffconvError } from '../contract/errors';

export function refuseExisting(path: string, force: boolean): void {
  if (!force && existsSync(path)) {
    throw new EffconvError('OUTPUT_EXISTS', `${path} already exists: choose another --out, or add --force to replace it`, path);
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
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  try {
    writeFileAtomic(tmp, data);
    moveIntoPlace(tmp, path, force);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Let `fill` write the folder's files into a temporary folder, then rename it to `path`. */
export async function writeOutputFolder(path: string, force: boolean, fill: (dir: string) => Promise<void>): Promise<void> {
  refuseExisting(path, force);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  mkdirSync(tmp);
  try {
    await fill(tmp);
    fsyncDir(tmp);
    moveIntoPlace(tmp, path, force);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

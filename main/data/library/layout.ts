// Where library entries live, what a valid name is, and the temporary folders that make an
// import all-or-nothing: an import writes into datasetsDir()/.import-<pid>-<id>/ and renames
// it to datasetsDir()/<name>/ last; a removal renames the entry to .remove-… before deleting.
// Folders left by a process that died (killed, crashed) are removed by the next one.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetsDir } from '../../common/paths';
import { isSystemError, makeFolder, withSystemErrors, type SystemErrorContext } from '../../common/system-errors';
import { EffconvError } from '../../contract/errors';
import { isProcessAlive } from '../../common/process-liveness';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;
const TEMP = /^\.(import|remove)-(\d+)-[0-9a-f]+$/;

export function checkDatasetName(name: string): string {
  if (!NAME.test(name)) {
    throw new EffconvError('INVALID_ARGUMENT', `dataset name "${name}" is not valid: use 1–64 letters, digits, ".", "_", "+" or "-", starting with a letter or digit`, 'name');
  }
  return name;
}

/** True when `spec` could be a library name rather than a path. */
export function looksLikeName(spec: string): boolean {
  return NAME.test(spec) && !spec.includes('/') && !spec.includes('\\');
}

export const libraryRoot = (): string => datasetsDir();
export const entryDir = (name: string): string => join(datasetsDir(), name);

/**
 * Delete what killed imports and removals left behind (their process is gone). Best effort: a
 * library that cannot be written (a read-only EFFCONV_HOME) can still be listed and read.
 */
export function removeLeftovers(): string[] {
  const root = datasetsDir();
  const removed: string[] = [];
  try {
    if (!existsSync(root)) return [];
    for (const name of readdirSync(root)) {
      const m = TEMP.exec(name);
      if (!m) continue;
      if (m[1] === 'import' && isProcessAlive(Number(m[2]))) continue;
      if (m[1] === 'remove' && Number(m[2]) === process.pid) continue;
      rmSync(join(root, name), { recursive: true, force: true });
      removed.push(name);
    }
  } catch (e) {
    if (!isSystemError(e)) throw e;
  }
  return removed;
}

/** How a write into the library is named when the system refuses it (the library folder, never a temporary one). */
export function libraryWrite(action: string, needBytes?: number): SystemErrorContext {
  return { action, path: datasetsDir(), role: 'storage', spaceDir: datasetsDir(), ...(needBytes !== undefined ? { needBytes } : {}) };
}

export interface ImportFolder {
  dir: string;
  /** Remove the folder (after a failure, a cancel, or a duplicate). */
  discard(): void;
}

export function createImportFolder(source: string): ImportFolder {
  const root = datasetsDir();
  const dir = join(root, `.import-${process.pid}-${randomBytes(6).toString('hex')}`);
  const discard = () => rmSync(dir, { recursive: true, force: true });
  makeFolder(root, libraryWrite('write the dataset library in'));
  withSystemErrors(libraryWrite('write the dataset library in'), () => {
    mkdirSync(dir);
    try {
      writeFileSync(join(dir, 'importing.json'), JSON.stringify({ pid: process.pid, source, startedAt: new Date().toISOString() }) + '\n');
    } catch (e) {
      discard();
      throw e;
    }
  });
  return { dir, discard };
}

/** Move an entry out of sight in one rename; returns where it went (delete that next). */
export function moveEntryAside(name: string): string {
  const to = join(datasetsDir(), `.remove-${process.pid}-${randomBytes(6).toString('hex')}`);
  withSystemErrors(libraryWrite(`move the entry "${name}" out of`), () => renameSync(entryDir(name), to));
  return to;
}

export function deleteEntry(name: string): void {
  const aside = moveEntryAside(name);
  // Out of sight already: if the deletion fails half-way, the next command finishes it.
  try {
    rmSync(aside, { recursive: true, force: true });
  } catch (e) {
    if (!isSystemError(e)) throw e;
  }
}

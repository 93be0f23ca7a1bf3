// What the user pointed at — a folder, a .zip, or a .tar[.gz] — seen as one tree of files, so
// every importer reads the three the same way (file-tree.ts has the surface). A tar is read in
// one pass per call (archive order); folders and zips are random access. Links, unreadable
// entries and folders are listed the same way for all three (folder-walk.ts says how links are
// treated); a system error while reading the user's files is a named DATASET_UNREADABLE.
import { lstatSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fromSystemError, isSystemError } from '../../common/system-errors';
import { EffconvError } from '../../contract/errors';
import { unreadable, type FileTree } from './file-tree';
import { FolderTree } from './folder-tree';
import { listTar, TarTree } from './tar-tree';
import { ZipFile } from './zip';
import { ZipTree } from './zip-tree';

export { runLimited, type EachOptions, type FileTree, type LinkedFolder, type TreeEntry, type TreeProblem } from './file-tree';

export const ARCHIVE_PATTERN = /\.(zip|tar|tar\.gz|tgz)$/i;

/** What the path is, or the named error for why it cannot be looked at (missing, a dangling link, a loop, no permission). */
function statSource(abs: string): Stats {
  try {
    return statSync(abs);
  } catch (e) {
    if (isSystemError(e) && e.code === 'ENOENT') {
      const link = lstatSync(abs, { throwIfNoEntry: false });
      if (link?.isSymbolicLink()) throw new EffconvError('DATASET_NOT_FOUND', `${abs}: a dangling link (to ${readlinkSync(abs)}, which does not exist)`, abs);
      throw new EffconvError('DATASET_NOT_FOUND', `${abs}: no such file or folder`, abs);
    }
    throw isSystemError(e) ? fromSystemError(e, { action: 'read', path: abs, role: 'source' }) : e;
  }
}

/** Open what the user gave: a folder, a .zip, a .tar/.tar.gz/.tgz, or one file (an .npz). */
export async function openTree(path: string, opts: { signal?: AbortSignal; onRead?(done: number, total: number): void } = {}): Promise<FileTree> {
  const abs = resolve(path);
  const st = statSource(abs);
  try {
    if (st.isDirectory()) return new FolderTree(abs);
    if (!st.isFile()) throw new EffconvError('DATASET_NOT_FOUND', `${abs}: not a folder, a .zip, a .tar.gz or an .npz file`, abs);
    if (/\.zip$/i.test(abs)) return new ZipTree(abs, ZipFile.open(abs));
    if (/\.(tar|tar\.gz|tgz)$/i.test(abs)) return new TarTree(abs, await listTar(abs, opts));
    return new FolderTree(dirname(abs), { name: basename(abs), size: st.size });
  } catch (e) {
    throw unreadable(e, abs);
  }
}

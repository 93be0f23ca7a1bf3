// What every kind of tree shares: the FileTree surface the importers read through, and the
// helpers of its three implementations (folder-tree.ts, zip-tree.ts, tar-tree.ts).
import { namedSystemError } from '../../common/system-errors';
import { EffconvError } from '../../contract/errors';
import { malformed } from '../malformed';
import { isHiddenName, type LinkedFolder, type TreeEntry, type TreeProblem } from './folder-walk';

export type { LinkedFolder, TreeEntry, TreeProblem } from './folder-walk';

export interface EachOptions {
  concurrency?: number;
  signal?: AbortSignal;
  /** A file that cannot be read (permissions, an I/O error) goes here instead of failing the call. */
  onUnreadable?(path: string, reason: string): void;
}

export interface FileTree {
  readonly source: string;
  readonly kind: 'folder' | 'zip' | 'tar';
  /** Regular files, sorted by path; hidden files and __MACOSX folders are left out. */
  readonly entries: readonly TreeEntry[];
  /** Every folder, empty ones included, sorted. */
  readonly folders: readonly string[];
  /** Entries that cannot be read: dangling links, link loops, unreadable folders, links inside archives. */
  readonly problems: readonly TreeProblem[];
  /** Links not followed and files reached twice (counted once), for the import's notes. */
  readonly notes: readonly string[];
  /** Folder links not followed because they lead to a folder read already (`to`; '' = the top). */
  readonly linkedFolders: readonly LinkedFolder[];
  /** Each named file's bytes, in the container's cheapest order, at most `concurrency` callbacks at a time. */
  eachFile(paths: readonly string[], fn: (path: string, bytes: Buffer) => Promise<void> | void, opts?: EachOptions): Promise<void>;
  /** Each named file as chunks, one file at a time, in the container's order (for files too big to hold). */
  streamFiles(paths: readonly string[], fn: (path: string, chunks: AsyncIterable<Buffer>) => Promise<void>, signal?: AbortSignal): Promise<void>;
  /** A real file holding the entry, extracted into `scratchDir` unless the tree is a folder. */
  localFile(path: string, scratchDir: string, signal?: AbortSignal): Promise<string>;
  /** How to name an entry in a message: "archive.tar.gz:dir/file" or the file's path. */
  describe(path: string): string;
  close(): void;
}

export const hidden = (path: string): boolean => path.split('/').some(isHiddenName);
export const byPath = (a: TreeEntry, b: TreeEntry): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

export function cancelled(): EffconvError {
  return new EffconvError('CANCELLED', 'import cancelled');
}

/** Run fn over items with at most `limit` in flight; the first error stops new work and is thrown. */
export async function runLimited<T>(items: Iterable<T>, limit: number, fn: (item: T) => Promise<void> | void, signal?: AbortSignal): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  for (const item of items) {
    if (failure) break;
    if (signal?.aborted) {
      failure = { error: cancelled() };
      break;
    }
    const p: Promise<void> = Promise.resolve()
      .then(() => fn(item))
      .then(
        () => void running.delete(p),
        (error) => {
          failure ??= { error };
          running.delete(p);
        },
      );
    running.add(p);
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure.error;
}

/** Reading one of the user's files failed for a reason of the system's: named, with the file as they know it. */
export function unreadable(e: unknown, where: string): unknown {
  return namedSystemError(e, { action: 'read', path: where, role: 'source' });
}

export function archiveFolders(dirs: Iterable<string>, files: readonly TreeEntry[]): string[] {
  const out = new Set<string>();
  const add = (p: string) => {
    for (let d = p; d && !out.has(d); d = d.includes('/') ? d.slice(0, d.lastIndexOf('/')) : '') out.add(d);
  };
  for (const d of dirs) if (!hidden(d)) add(d);
  for (const f of files) if (f.path.includes('/')) add(f.path.slice(0, f.path.lastIndexOf('/')));
  return [...out].sort();
}

export function refuseDuplicates(source: string, paths: Iterable<string>): void {
  const seen = new Set<string>();
  for (const p of paths) {
    if (seen.has(p)) throw malformed(`${source}:${p}`, 'the archive holds two members of this name (a second copy appended?): extract it and import the folder, or rebuild the archive');
    seen.add(p);
  }
}

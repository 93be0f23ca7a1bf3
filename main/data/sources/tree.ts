// What the user pointed at — a folder, a .zip, or a .tar[.gz] — seen as one tree of files, so
// every importer reads the three the same way. A tar is read in one pass per call (archive
// order); folders and zips are random access. Links, unreadable entries and folders are
// listed the same way for all three (folder-walk.ts says how links are treated); a system
// error while reading the user's files is a named DATASET_UNREADABLE, never a crash.
import { createReadStream, createWriteStream, lstatSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fromSystemError, isSystemError, namedSystemError } from '../../common/system-errors';
import { EffconvError } from '../../contract/errors';
import { malformed } from '../malformed';
import { isHiddenName, walkFolder, type TreeEntry, type TreeProblem } from './folder-walk';
import { normaliseEntryPath, walkTar } from './tar';
import { ZipFile, type ZipEntry } from './zip';

export type { TreeEntry, TreeProblem } from './folder-walk';

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
  readonly linkedFolders: readonly { path: string; to: string }[];
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

const hidden = (path: string): boolean => path.split('/').some(isHiddenName);
const byPath = (a: TreeEntry, b: TreeEntry): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

function cancelled(): EffconvError {
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
function unreadable(e: unknown, where: string): unknown {
  return namedSystemError(e, { action: 'read', path: where, role: 'source' });
}

class FolderTree implements FileTree {
  readonly kind = 'folder';
  readonly entries: readonly TreeEntry[];
  readonly folders: readonly string[];
  readonly problems: readonly TreeProblem[];
  readonly notes: readonly string[];

  /** `only`: a single file given by the user, seen as a tree of that one file. */
  constructor(private readonly root: string, only?: { name: string; size: number }) {
    this.source = only ? join(root, only.name) : root;
    const listing = only ? { entries: [{ path: only.name, size: only.size }], folders: [], problems: [], notes: [], linkedFolders: [] } : walkFolder(root);
    const top = listing.problems.find((p) => p.kind === 'folder' && p.path === '.');
    if (top) throw new EffconvError('DATASET_UNREADABLE', `cannot read ${root}: ${top.reason}; check its permissions (ls -ld), or copy it somewhere you can read`, root);
    this.entries = listing.entries;
    this.folders = listing.folders;
    this.problems = listing.problems;
    this.notes = listing.notes;
    this.linkedFolders = listing.linkedFolders;
  }

  readonly source: string;
  readonly linkedFolders: readonly { path: string; to: string }[];

  async eachFile(paths: readonly string[], fn: (path: string, bytes: Buffer) => Promise<void> | void, opts: EachOptions = {}): Promise<void> {
    await runLimited(paths, opts.concurrency ?? 1, async (p) => {
      let bytes: Buffer;
      try {
        bytes = await readFile(join(this.root, p));
      } catch (e) {
        const named = unreadable(e, this.describe(p));
        if (opts.onUnreadable && named instanceof EffconvError) return opts.onUnreadable(p, named.message.slice(named.message.indexOf(': ') + 2));
        throw named;
      }
      await fn(p, bytes);
    }, opts.signal);
  }

  async streamFiles(paths: readonly string[], fn: (path: string, chunks: AsyncIterable<Buffer>) => Promise<void>, signal?: AbortSignal): Promise<void> {
    for (const p of paths) {
      if (signal?.aborted) throw cancelled();
      const full = join(this.root, p);
      const s = createReadStream(full, { highWaterMark: 1 << 20 });
      try {
        await fn(p, s as AsyncIterable<Buffer>);
      } catch (e) {
        // Only the read stream's own failure is about this file (fn's writes are named by their writer).
        throw isSystemError(e) && e.path === full ? unreadable(e, this.describe(p)) : e;
      } finally {
        s.destroy();
      }
    }
  }

  async localFile(path: string): Promise<string> {
    return join(this.root, path);
  }

  describe(path: string): string {
    return path ? join(this.root, path) : this.root;
  }

  close(): void {}
}

/** Folders an archive implies: its directory entries and every parent of a file. */
function archiveFolders(dirs: Iterable<string>, files: readonly TreeEntry[]): string[] {
  const out = new Set<string>();
  const add = (p: string) => {
    for (let d = p; d && !out.has(d); d = d.includes('/') ? d.slice(0, d.lastIndexOf('/')) : '') out.add(d);
  };
  for (const d of dirs) if (!hidden(d)) add(d);
  for (const f of files) if (f.path.includes('/')) add(f.path.slice(0, f.path.lastIndexOf('/')));
  return [...out].sort();
}

function refuseDuplicates(source: string, paths: Iterable<string>): void {
  const seen = new Set<string>();
  for (const p of paths) {
    if (seen.has(p)) throw malformed(`${source}:${p}`, 'the archive holds two members of this name (a second copy appended?): extract it and import the folder, or rebuild the archive');
    seen.add(p);
  }
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;

class ZipTree implements FileTree {
  readonly kind = 'zip';
  readonly entries: readonly TreeEntry[];
  readonly folders: readonly string[];
  readonly problems: TreeProblem[] = [];
  readonly notes: readonly string[] = [];
  readonly linkedFolders: readonly { path: string; to: string }[] = [];
  private readonly byName = new Map<string, ZipEntry>();

  constructor(readonly source: string, private readonly zip: ZipFile) {
    const entries: TreeEntry[] = [];
    const dirs: string[] = [];
    const names: string[] = [];
    for (const e of zip.entries) {
      const path = normaliseEntryPath(e.name);
      if (path === null || hidden(path)) continue;
      if (e.name.endsWith('/')) {
        dirs.push(path);
        continue;
      }
      names.push(path);
      // Unix mode in the high half of the external attributes (Info-ZIP's `zip -y` stores links so).
      const type = (e.unixMode ?? S_IFREG) & S_IFMT;
      if (type === S_IFLNK) {
        this.problems.push({ path, kind: 'file', reason: 'a symbolic link inside the archive (not followed: extract the archive and import the folder)' });
        continue;
      }
      this.byName.set(path, e);
      entries.push({ path, size: e.size });
    }
    refuseDuplicates(source, names);
    this.entries = entries.sort(byPath);
    this.folders = archiveFolders(dirs, this.entries);
  }

  private entry(path: string): ZipEntry {
    const e = this.byName.get(path);
    if (!e) throw new EffconvError('DATASET_NOT_FOUND', `${basename(this.source)}: no entry "${path}"`, this.describe(path));
    return e;
  }

  async eachFile(paths: readonly string[], fn: (path: string, bytes: Buffer) => Promise<void> | void, opts: EachOptions = {}): Promise<void> {
    const ordered = [...paths].sort((a, b) => this.entry(a).localOffset - this.entry(b).localOffset);
    await runLimited(ordered, opts.concurrency ?? 1, (p) => fn(p, this.zip.readEntry(this.entry(p))), opts.signal);
  }

  async streamFiles(paths: readonly string[], fn: (path: string, chunks: AsyncIterable<Buffer>) => Promise<void>, signal?: AbortSignal): Promise<void> {
    for (const p of paths) {
      if (signal?.aborted) throw cancelled();
      await fn(p, this.zip.streamEntry(this.entry(p), signal));
    }
  }

  async localFile(path: string, scratchDir: string, signal?: AbortSignal): Promise<string> {
    const out = join(scratchDir, `extracted-${basename(path)}`);
    await pipeline(this.zip.streamEntry(this.entry(path), signal), createWriteStream(out));
    if (signal?.aborted) throw cancelled();
    return out;
  }

  describe(path: string): string {
    return path ? `${this.source}:${path}` : this.source;
  }

  close(): void {
    this.zip.close();
  }
}

interface TarListing {
  entries: TreeEntry[];
  folders: string[];
  problems: TreeProblem[];
  notes: string[];
  linkedFolders: { path: string; to: string }[];
}

class TarTree implements FileTree {
  readonly kind = 'tar';
  readonly entries: readonly TreeEntry[];
  readonly folders: readonly string[];
  readonly problems: readonly TreeProblem[];
  readonly notes: readonly string[];

  constructor(readonly source: string, listing: TarListing) {
    this.entries = listing.entries;
    this.folders = listing.folders;
    this.problems = listing.problems;
    this.notes = listing.notes;
    this.linkedFolders = listing.linkedFolders;
  }

  readonly linkedFolders: readonly { path: string; to: string }[];

  async eachFile(paths: readonly string[], fn: (path: string, bytes: Buffer) => Promise<void> | void, opts: EachOptions = {}): Promise<void> {
    const want = new Set(paths);
    // Read bodies in archive order; let up to `concurrency` callbacks run while the stream goes on.
    const running = new Set<Promise<void>>();
    const state: { failure: { error: unknown } | null } = { failure: null };
    const limit = opts.concurrency ?? 1;
    try {
      await walkTar(this.source, async (e, body) => {
        if (state.failure) throw state.failure.error;
        if (e.type !== 'file' || !want.has(e.path)) return;
        want.delete(e.path);
        const bytes = await body.bytes();
        const p: Promise<void> = Promise.resolve()
          .then(() => fn(e.path, bytes))
          .then(() => void running.delete(p), (error) => {
            state.failure ??= { error };
            running.delete(p);
          });
        running.add(p);
        if (running.size >= limit) await Promise.race(running);
      }, { signal: opts.signal });
    } finally {
      await Promise.all(running);
    }
    if (state.failure) throw state.failure.error;
  }

  async streamFiles(paths: readonly string[], fn: (path: string, chunks: AsyncIterable<Buffer>) => Promise<void>, signal?: AbortSignal): Promise<void> {
    const want = new Set(paths);
    await walkTar(this.source, async (e, body) => {
      if (e.type === 'file' && want.has(e.path)) await fn(e.path, body.chunks());
    }, { signal });
  }

  async localFile(path: string, scratchDir: string, signal?: AbortSignal): Promise<string> {
    const out = join(scratchDir, `extracted-${basename(path)}`);
    await this.streamFiles([path], (_, chunks) => pipeline(chunks, createWriteStream(out)), signal);
    return out;
  }

  describe(path: string): string {
    return path ? `${this.source}:${path}` : this.source;
  }

  close(): void {}
}

/** List a tar: files, folders, and its links (a link to a member is that member, counted once; any other is a problem). */
async function listTar(abs: string, opts: { signal?: AbortSignal; onRead?(done: number, total: number): void }): Promise<TarListing> {
  const entries: TreeEntry[] = [];
  const dirs: string[] = [];
  const links: { path: string; target: string; hard: boolean }[] = [];
  const problems: TreeProblem[] = [];
  await walkTar(abs, (e) => {
    if (hidden(e.path)) return;
    if (e.type === 'file') entries.push({ path: e.path, size: e.size });
    else if (e.type === 'folder') dirs.push(e.path);
    else if (e.type === 'link' || e.type === 'hardlink') links.push({ path: e.path, target: e.linkTarget ?? '', hard: e.type === 'hardlink' });
    else problems.push({ path: e.path, kind: 'file', reason: 'not a regular file (a device or a pipe) inside the archive' });
  }, { signal: opts.signal, onRead: opts.onRead });
  refuseDuplicates(abs, entries.map((e) => e.path));
  const files = new Set(entries.map((e) => e.path));
  const sameFiles: string[] = [];
  const linkedFolders: { path: string; to: string }[] = [];
  for (const l of links) {
    // Hard-link names are archive paths; symbolic ones are relative to the link's folder.
    const joined = l.hard ? l.target : l.target.startsWith('/') ? '..' : posix.normalize(posix.join(posix.dirname(l.path), l.target));
    const target = joined === '.' ? '' : joined.startsWith('..') ? null : normaliseEntryPath(joined);
    if (target !== null && files.has(target)) sameFiles.push(`${l.path} is ${l.hard ? 'a hard link' : 'a link'} to ${target}`);
    else if (target !== null && (target === '' || dirs.some((d) => d === target || d.startsWith(target + '/')))) {
      sameFiles.push(`${l.path} (a link to the folder ${target || 'at the top'}, already read)`);
      linkedFolders.push({ path: l.path, to: target });
    }
    else problems.push({ path: l.path, kind: 'file', reason: `a link to ${l.target}, which is not in the archive` });
  }
  const notes = sameFiles.length ? [`links inside the archive to members already read, counted once: ${sameFiles.slice(0, 3).join('; ')}${sameFiles.length > 3 ? `; … (${sameFiles.length} in all)` : ''}`] : [];
  const sorted = entries.sort(byPath);
  return { entries: sorted, folders: archiveFolders(dirs, sorted), problems, notes, linkedFolders };
}

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

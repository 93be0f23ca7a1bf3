// What the user pointed at — a folder, a .zip, or a .tar[.gz] — seen as one tree of files, so
// every importer reads the three the same way. A tar is read in one pass per call (archive
// order); folders and zips are random access.
import { createReadStream, createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { EffconvError } from '../../contract/errors';
import { normaliseEntryPath, walkTar } from './tar';
import { ZipFile, type ZipEntry } from './zip';

export interface TreeEntry {
  /** Relative to the root, '/'-separated. */
  path: string;
  size: number;
}

export interface EachOptions {
  concurrency?: number;
  signal?: AbortSignal;
}

export interface FileTree {
  readonly source: string;
  readonly kind: 'folder' | 'zip' | 'tar';
  /** Regular files, sorted by path; hidden files and __MACOSX folders are left out. */
  readonly entries: readonly TreeEntry[];
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

const hidden = (path: string): boolean => path.split('/').some((s) => s.startsWith('.') || s === '__MACOSX');
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

function walkFolder(root: string): TreeEntry[] {
  const out: TreeEntry[] = [];
  const walk = (dir: string, rel: string, depth: number): void => {
    if (depth > 32) return;
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const relPath = rel ? `${rel}/${d.name}` : d.name;
      if (hidden(d.name)) continue;
      const full = join(dir, d.name);
      let isDir = d.isDirectory();
      let isFile = d.isFile();
      if (d.isSymbolicLink()) {
        const s = statSync(full, { throwIfNoEntry: false });
        isDir = Boolean(s?.isDirectory());
        isFile = Boolean(s?.isFile());
      }
      if (isDir) walk(full, relPath, depth + 1);
      else if (isFile) out.push({ path: relPath, size: statSync(full).size });
    }
  };
  walk(root, '', 0);
  return out.sort(byPath);
}

class FolderTree implements FileTree {
  readonly kind = 'folder';
  readonly entries: readonly TreeEntry[];

  /** `only`: a single file given by the user, seen as a tree of that one file. */
  constructor(private readonly root: string, only?: string) {
    this.source = only ? join(root, only) : root;
    this.entries = only ? [{ path: only, size: statSync(join(root, only)).size }] : walkFolder(root);
  }

  readonly source: string;

  async eachFile(paths: readonly string[], fn: (path: string, bytes: Buffer) => Promise<void> | void, opts: EachOptions = {}): Promise<void> {
    await runLimited(paths, opts.concurrency ?? 1, async (p) => fn(p, await readFile(join(this.root, p))), opts.signal);
  }

  async streamFiles(paths: readonly string[], fn: (path: string, chunks: AsyncIterable<Buffer>) => Promise<void>, signal?: AbortSignal): Promise<void> {
    for (const p of paths) {
      if (signal?.aborted) throw cancelled();
      const s = createReadStream(join(this.root, p), { highWaterMark: 1 << 20 });
      try {
        await fn(p, s as AsyncIterable<Buffer>);
      } finally {
        s.destroy();
      }
    }
  }

  async localFile(path: string): Promise<string> {
    return join(this.root, path);
  }

  describe(path: string): string {
    return join(this.root, path);
  }

  close(): void {}
}

class ZipTree implements FileTree {
  readonly kind = 'zip';
  readonly entries: readonly TreeEntry[];
  private readonly byName = new Map<string, ZipEntry>();

  constructor(readonly source: string, private readonly zip: ZipFile) {
    const entries: TreeEntry[] = [];
    for (const e of zip.entries) {
      const path = e.name.endsWith('/') ? null : normaliseEntryPath(e.name);
      if (path === null || hidden(path)) continue;
      this.byName.set(path, e);
      entries.push({ path, size: e.size });
    }
    this.entries = entries.sort(byPath);
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
    return `${this.source}:${path}`;
  }

  close(): void {
    this.zip.close();
  }
}

class TarTree implements FileTree {
  readonly kind = 'tar';

  constructor(readonly source: string, readonly entries: readonly TreeEntry[]) {}

  async eachFile(paths: readonly string[], fn: (path: string, bytes: Buffer) => Promise<void> | void, opts: EachOptions = {}): Promise<void> {
    const want = new Set(paths);
    // Read bodies in archive order; let up to `concurrency` callbacks run while the stream goes on.
    const running = new Set<Promise<void>>();
    const state: { failure: { error: unknown } | null } = { failure: null };
    const limit = opts.concurrency ?? 1;
    try {
      await walkTar(this.source, async (e, body) => {
        if (state.failure) throw state.failure.error;
        if (!want.has(e.path)) return;
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
      if (want.has(e.path)) await fn(e.path, body.chunks());
    }, { signal });
  }

  async localFile(path: string, scratchDir: string, signal?: AbortSignal): Promise<string> {
    const out = join(scratchDir, `extracted-${basename(path)}`);
    await this.streamFiles([path], (_, chunks) => pipeline(chunks, createWriteStream(out)), signal);
    return out;
  }

  describe(path: string): string {
    return `${this.source}:${path}`;
  }

  close(): void {}
}

export const ARCHIVE_PATTERN = /\.(zip|tar|tar\.gz|tgz)$/i;

/** Open what the user gave: a folder, a .zip, a .tar/.tar.gz/.tgz, or one file (an .npz). */
export async function openTree(path: string, opts: { signal?: AbortSignal; onRead?(done: number, total: number): void } = {}): Promise<FileTree> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new EffconvError('DATASET_NOT_FOUND', `${abs}: no such file or folder`, abs);
  const st = statSync(abs);
  if (st.isDirectory()) return new FolderTree(abs);
  if (/\.zip$/i.test(abs)) return new ZipTree(abs, ZipFile.open(abs));
  if (/\.(tar|tar\.gz|tgz)$/i.test(abs)) {
    const entries: TreeEntry[] = [];
    await walkTar(abs, (e) => {
      if (!hidden(e.path)) entries.push({ path: e.path, size: e.size });
    }, { signal: opts.signal, onRead: opts.onRead });
    return new TarTree(abs, entries.sort(byPath));
  }
  return new FolderTree(dirname(abs), basename(abs));
}

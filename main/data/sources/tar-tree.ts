// A .tar[.gz] as a tree: listed in one pass (files, folders, links), read in archive order.
import { createWriteStream } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { archiveFolders, byPath, hidden, refuseDuplicates, type EachOptions, type FileTree, type LinkedFolder, type TreeEntry, type TreeProblem } from './file-tree';
import type { TreeListing } from './folder-walk';
import { normaliseEntryPath, walkTar } from './tar';

export class TarTree implements FileTree {
  readonly kind = 'tar';
  readonly entries: readonly TreeEntry[];
  readonly folders: readonly string[];
  readonly problems: readonly TreeProblem[];
  readonly notes: readonly string[];
  readonly linkedFolders: readonly LinkedFolder[];

  constructor(readonly source: string, listing: TreeListing) {
    this.entries = listing.entries;
    this.folders = listing.folders;
    this.problems = listing.problems;
    this.notes = listing.notes;
    this.linkedFolders = listing.linkedFolders;
  }

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
export async function listTar(abs: string, opts: { signal?: AbortSignal; onRead?(done: number, total: number): void }): Promise<TreeListing> {
  const entries: TreeEntry[] = [];
  const dirs: string[] = [];
  const links: { path: string; target: string; hard: boolean }[] = [];
  const problems: TreeProblem[] = [];
  await walkTar(abs, (e) => {
    if (e.type !== 'outside' && hidden(e.path)) return;
    if (e.type === 'file') entries.push({ path: e.path, size: e.size });
    else if (e.type === 'folder') dirs.push(e.path);
    else if (e.type === 'link' || e.type === 'hardlink') links.push({ path: e.path, target: e.linkTarget ?? '', hard: e.type === 'hardlink' });
    else if (e.type === 'outside') problems.push({ path: e.path, kind: 'file', reason: 'its name leaves the archive\'s top folder (..): not read' });
    else problems.push({ path: e.path, kind: 'file', reason: 'not a regular file (a device or a pipe) inside the archive' });
  }, { signal: opts.signal, onRead: opts.onRead });
  refuseDuplicates(abs, entries.map((e) => e.path));
  const files = new Set(entries.map((e) => e.path));
  const sameFiles: string[] = [];
  const linkedFolders: LinkedFolder[] = [];
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

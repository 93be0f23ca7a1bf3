// A folder (or one file in it) as a tree: listed by folder-walk.ts, read straight from disk.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isSystemError } from '../../common/system-errors';
import { EffconvError } from '../../contract/errors';
import { cancelled, runLimited, unreadable, type EachOptions, type FileTree, type LinkedFolder, type TreeEntry, type TreeProblem } from './file-tree';
import { walkFolder, type TreeListing } from './folder-walk';

export class FolderTree implements FileTree {
  readonly kind = 'folder';
  readonly entries: readonly TreeEntry[];
  readonly folders: readonly string[];
  readonly problems: readonly TreeProblem[];
  readonly notes: readonly string[];
  readonly linkedFolders: readonly LinkedFolder[];
  readonly source: string;

  /** `only`: a single file given by the user, seen as a tree of that one file. */
  constructor(private readonly root: string, only?: { name: string; size: number }) {
    this.source = only ? join(root, only.name) : root;
    const listing: TreeListing = only ? { entries: [{ path: only.name, size: only.size }], folders: [], problems: [], notes: [], linkedFolders: [] } : walkFolder(root);
    const top = listing.problems.find((p) => p.kind === 'folder' && p.path === '.');
    if (top) throw new EffconvError('DATASET_UNREADABLE', `cannot read ${root}: ${top.reason}; check its permissions (ls -ld), or copy it somewhere you can read`, root);
    this.entries = listing.entries;
    this.folders = listing.folders;
    this.problems = listing.problems;
    this.notes = listing.notes;
    this.linkedFolders = listing.linkedFolders;
  }

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

// A .zip as a tree: the central directory lists it (links inside are listed as problems, a
// member name twice is refused), entries are read at random.
import { createWriteStream } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { EffconvError } from '../../contract/errors';
import { archiveFolders, byPath, cancelled, hidden, refuseDuplicates, runLimited, type EachOptions, type FileTree, type LinkedFolder, type TreeEntry, type TreeProblem } from './file-tree';
import { normaliseEntryPath } from './tar';
import type { ZipEntry, ZipFile } from './zip';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;

export class ZipTree implements FileTree {
  readonly kind = 'zip';
  readonly entries: readonly TreeEntry[];
  readonly folders: readonly string[];
  readonly problems: TreeProblem[] = [];
  readonly notes: readonly string[] = [];
  readonly linkedFolders: readonly LinkedFolder[] = [];
  private readonly byName = new Map<string, ZipEntry>();

  constructor(readonly source: string, private readonly zip: ZipFile) {
    const entries: TreeEntry[] = [];
    const dirs: string[] = [];
    const names: string[] = [];
    for (const e of zip.entries) {
      const path = normaliseEntryPath(e.name);
      if (path === null) {
        if (!e.name.endsWith('/') && e.name.replace(/[/\\.]/g, '') !== '') this.problems.push({ path: e.name, kind: 'file', reason: 'its name leaves the archive\'s top folder (..): not read' });
        continue;
      }
      if (hidden(path)) continue;
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

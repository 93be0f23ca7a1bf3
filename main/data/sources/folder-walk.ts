// List a folder as an import sees it, deliberately about links: a link to a file is read as
// that file, once (a file reached twice, by links or hard links, counts once); a link to a
// folder is followed unless the folder (by device and inode) was read already, so a link back
// up the tree or to a sibling class never counts photos twice; a dangling link, a link loop, a
// pipe or an unreadable folder is a problem the import reports (skipped, or fatal). Real
// folders are read before linked ones, so a photo keeps the class of the folder it lives in.
import { readdirSync, readlinkSync, statSync, type BigIntStats, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { isSystemError } from '../../common/system-errors';

export interface TreeEntry {
  /** Relative to the root, '/'-separated. */
  path: string;
  size: number;
}

export interface TreeProblem {
  /** Relative to the root, '/'-separated. */
  path: string;
  kind: 'file' | 'folder';
  reason: string;
}

/** A folder link not followed: `to` is the folder it leads to, read already ('' = the top). */
export interface LinkedFolder {
  path: string;
  to: string;
}

/** What a tree holds, as listed (folders, archives). */
export interface TreeListing {
  entries: TreeEntry[];
  /** Every folder below the root (empty ones included), relative. */
  folders: string[];
  problems: TreeProblem[];
  /** What was not followed or read twice, for the import's notes. */
  notes: string[];
  /** Folder links not followed (they lead to a folder read already). */
  linkedFolders: LinkedFolder[];
}

export const isHiddenName = (name: string): boolean => name.startsWith('.') || name === '__MACOSX';

const identity = (s: BigIntStats): string => `${s.dev}:${s.ino}`;
const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function systemReason(e: unknown): string {
  if (!isSystemError(e)) throw e;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'a link loop (too many levels of symbolic links)';
    case 'EIO':
      return 'input/output error';
    default:
      return `${e.code}: ${e.message}`;
  }
}

function linkReason(e: unknown, full: string): string {
  if (isSystemError(e) && (e.code === 'ENOENT' || e.code === 'ENOTDIR')) {
    let target = '?';
    try {
      target = readlinkSync(full);
    } catch {
      // unreadable link: the target stays unknown
    }
    return `a dangling link (to ${target}, which does not exist)`;
  }
  return systemReason(e);
}

const examples = (items: string[]): string => `${items.slice(0, 3).join('; ')}${items.length > 3 ? `; … (${items.length} in all)` : ''}`;

export function walkFolder(root: string): TreeListing {
  const entries: (TreeEntry & { link: boolean })[] = [];
  const folders: string[] = [];
  const problems: TreeProblem[] = [];
  const folderSeen = new Map<string, string>();
  const fileSeen = new Map<string, number>();
  const pendingLinks: { full: string; rel: string }[] = [];
  const linkedFolders: LinkedFolder[] = [];
  const skippedLinks: string[] = [];
  const sameFiles: string[] = [];

  const addFile = (rel: string, st: BigIntStats, link: boolean): void => {
    const id = identity(st);
    const at = fileSeen.get(id);
    if (at === undefined) {
      fileSeen.set(id, entries.length);
      entries.push({ path: rel, size: Number(st.size), link });
      return;
    }
    const kept = entries[at];
    if (kept.link && !link) {
      // The file reached without any link wins over a link to it found earlier.
      sameFiles.push(`${kept.path} is a link to ${rel}`);
      entries[at] = { path: rel, size: Number(st.size), link };
    } else sameFiles.push(`${rel} is ${link ? 'a link to' : 'the same file as'} ${kept.path}`);
  };

  /** viaLink: this folder was reached through a folder link (its files count as links). */
  const enter = (full: string, rel: string, viaLink: boolean): void => {
    let st: BigIntStats;
    try {
      st = statSync(full, { bigint: true });
    } catch (e) {
      problems.push({ path: rel || '.', kind: 'folder', reason: systemReason(e) });
      return;
    }
    const seen = folderSeen.get(identity(st));
    if (seen !== undefined) {
      skippedLinks.push(`${rel} (${viaLink ? 'a link' : 'a mount'} to ${seen || 'the top folder'})`);
      linkedFolders.push({ path: rel, to: seen });
      return;
    }
    folderSeen.set(identity(st), rel);
    if (rel) folders.push(rel);
    let list: Dirent[];
    try {
      list = readdirSync(full, { withFileTypes: true });
    } catch (e) {
      problems.push({ path: rel || '.', kind: 'folder', reason: systemReason(e) });
      return;
    }
    for (const d of list.sort(byName)) {
      if (isHiddenName(d.name)) continue;
      const childRel = rel ? `${rel}/${d.name}` : d.name;
      const childFull = join(full, d.name);
      if (d.isDirectory()) {
        enter(childFull, childRel, viaLink);
        continue;
      }
      if (!d.isFile() && !d.isSymbolicLink()) {
        problems.push({ path: childRel, kind: 'file', reason: 'not a regular file (a pipe, socket or device)' });
        continue;
      }
      let cst: BigIntStats;
      try {
        cst = statSync(childFull, { bigint: true });
      } catch (e) {
        problems.push({ path: childRel, kind: 'file', reason: d.isSymbolicLink() ? linkReason(e, childFull) : systemReason(e) });
        continue;
      }
      if (cst.isDirectory()) pendingLinks.push({ full: childFull, rel: childRel });
      else if (cst.isFile()) addFile(childRel, cst, viaLink || d.isSymbolicLink());
      else problems.push({ path: childRel, kind: 'file', reason: 'a link to something that is not a regular file (a pipe, socket or device)' });
    }
  };

  enter(root, '', false);
  // Linked folders last, in the order found: whatever the real tree holds keeps its place.
  for (let i = 0; i < pendingLinks.length; i++) enter(pendingLinks[i].full, pendingLinks[i].rel, true);

  const notes: string[] = [];
  if (skippedLinks.length) notes.push(`folder links not followed (they lead to a folder already read): ${examples(skippedLinks)}`);
  if (sameFiles.length) notes.push(`files reached twice, counted once: ${examples(sameFiles)}`);
  const sorted = entries.map(({ path, size }) => ({ path, size })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries: sorted, folders: folders.sort(), problems, notes, linkedFolders };
}

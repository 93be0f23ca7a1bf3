// An image folder: one subfolder per class (files may sit deeper inside it), with either
// train/ and test/ (or val/) splits above the classes or none (then a stratified fraction is
// held out). Three steps: list, probe every file's header (non-images are skipped and counted,
// or fatal with --strict), decode + resize in parallel into a pool, deal the pool into splits.
import { availableParallelism } from 'node:os';
import { EffconvError } from '../../contract/errors';
import type { ImportContext, ImportedSet } from '../library/import-context';
import { malformed } from '../malformed';
import type { PoolSplit } from '../library/pool';
import { decodeToSquare, probeImage, type ProbedImage } from './decode-image';

const TRAIN_DIR = /^(train|training)$/i;
const TEST_DIRS = [/^test$/i, /^val$/i, /^validation$/i, /^valid$/i, /^testing$/i];

interface Candidate {
  path: string;
  className: string;
  /** The class folder, for messages. */
  folder: string;
  split: PoolSplit;
}

/** Files in class folders, by split; files outside any class folder are counted apart; every class folder, empty ones too. */
function listCandidates(ctx: ImportContext): { candidates: Candidate[]; loose: number; layout: string; classFolders: string[] } {
  const prefix = ctx.root ? ctx.root + '/' : '';
  const rel = ctx.tree.entries.filter((e) => e.path.startsWith(prefix)).map((e) => e.path.slice(prefix.length));
  const children = new Set(rel.filter((r) => r.includes('/')).map((r) => r.slice(0, r.indexOf('/'))));
  const hasClasses = (dir: string) => rel.some((r) => r.startsWith(dir + '/') && r.slice(dir.length + 1).includes('/'));
  const trainDir = [...children].find((c) => TRAIN_DIR.test(c) && hasClasses(c));
  const testDir = TEST_DIRS.map((re) => [...children].find((c) => re.test(c) && hasClasses(c))).find(Boolean);
  const splits: { dir: string; split: PoolSplit }[] = trainDir && testDir ? [{ dir: trainDir, split: 'train' }, { dir: testDir, split: 'test' }] : [{ dir: '', split: null }];
  const candidates: Candidate[] = [];
  const classFolders: string[] = [];
  let loose = 0;
  for (const { dir, split } of splits) {
    const under = dir ? dir + '/' : '';
    const base = prefix + under;
    const isClassLevel = (f: string) => f.startsWith(base) && f.length > base.length && !f.slice(base.length).includes('/');
    for (const f of ctx.tree.folders) if (isClassLevel(f)) classFolders.push(f);
    // A class that is a link to another folder already read would be the same photos under a second name.
    for (const l of ctx.tree.linkedFolders) {
      if (!isClassLevel(l.path) || l.to === '' || l.path.startsWith(l.to + '/')) continue;
      throw malformed(ctx.tree.describe(l.path), `a link to the folder ${l.to}, which is read already (a photo belongs to one class): remove the link, or make it a folder of its own`);
    }
    for (const r of rel) {
      if (!r.startsWith(under)) continue;
      const rest = r.slice(under.length);
      if (!rest.includes('/')) {
        loose += 1;
        continue;
      }
      const className = rest.slice(0, rest.indexOf('/'));
      candidates.push({ path: prefix + r, className, folder: prefix + under + className, split });
    }
  }
  const layout = trainDir && testDir ? `${trainDir}/ and ${testDir}/ splits` : 'class folders (no split: a fraction is held out)';
  return { candidates, loose, layout, classFolders };
}

/** A class folder without a single file would leave the set a class short without a word: name it. */
function requireFiles(ctx: ImportContext, classFolders: string[], candidates: Candidate[]): void {
  const withFiles = new Set(candidates.map((c) => c.folder));
  for (const folder of classFolders) {
    if (withFiles.has(folder)) continue;
    const unreadable = ctx.tree.problems.filter((p) => p.path.startsWith(folder + '/'));
    if (unreadable.length === 0) throw malformed(ctx.tree.describe(folder), 'class folder is empty: put its images in it, or remove it');
    throw malformed(ctx.tree.describe(folder), `class folder has no readable image (${unreadable.length} unreadable: ${ctx.rel(unreadable[0].path)}: ${unreadable[0].reason})`);
  }
}

export async function importImageFolder(ctx: ImportContext): Promise<ImportedSet> {
  const o = ctx.options;
  const { candidates, loose, layout, classFolders } = listCandidates(ctx);
  requireFiles(ctx, classFolders, candidates);
  const splitMode = candidates.some((c) => c.split !== null);
  const classNames = [...new Set(candidates.filter((c) => c.split !== 'test').map((c) => c.className))].sort();
  const classIndex = new Map(classNames.map((n, i) => [n, i]));
  for (const c of candidates) {
    if (!classIndex.has(c.className)) {
      throw malformed(ctx.tree.describe(c.folder), `class "${c.className}" is in the test split but not in the train split`);
    }
  }
  if (classNames.length < 2) throw malformed(ctx.tree.describe(ctx.root), `an image folder needs at least two class subfolders, found ${classNames.length}${classNames.length ? ` (${classNames[0]})` : ''}`);
  if (loose > 0) ctx.note(`${loose} file${loose === 1 ? '' : 's'} outside the class folders ignored`);
  ctx.note(`layout: ${layout}`);

  // 1. Probe headers: which files are images, their sizes, gray or colour.
  const probes: (ProbedImage | null)[] = new Array(candidates.length).fill(null);
  const indexOf = new Map(candidates.map((c, i) => [c.path, i]));
  const concurrency = Math.max(4, availableParallelism() * 2);
  ctx.progress.start('scan', candidates.length);
  await ctx.tree.eachFile(candidates.map((c) => c.path), async (path, bytes) => {
    const p = await probeImage(bytes);
    if (p.ok) probes[indexOf.get(path)!] = p.image;
    else ctx.skip(path, p.reason);
    ctx.progress.advance();
  }, { concurrency, signal: ctx.signal, onUnreadable: (path, reason) => (ctx.skip(path, reason), ctx.progress.advance()) });

  // Every class folder that has files must keep at least one image.
  const requireImages = (kept: (index: number) => boolean) => {
    const have = new Map<string, number>();
    const firstFile = new Map<string, Candidate>();
    candidates.forEach((c, i) => {
      const key = `${c.split}|${c.className}`;
      if (!firstFile.has(key)) firstFile.set(key, c);
      if (kept(i)) have.set(key, (have.get(key) ?? 0) + 1);
    });
    for (const [key, c] of firstFile) {
      if (have.has(key)) continue;
      const n = candidates.filter((d) => d.split === c.split && d.className === c.className).length;
      throw malformed(ctx.tree.describe(c.folder), `class folder has no readable image (${n} file${n === 1 ? '' : 's'} skipped, e.g. ${ctx.rel(c.path)})`);
    }
  };
  requireImages((i) => probes[i] !== null);
  const images = candidates.map((c, i) => ({ ...c, probe: probes[i] })).filter((c) => c.probe !== null);

  // 2. Decide the stored shape.
  const first = images[0].probe!;
  const commonSquare = first.width === first.height && images.every((c) => c.probe!.width === first.width && c.probe!.height === first.height);
  const size = o.size ?? (commonSquare ? first.width : 32);
  const grayCount = images.filter((c) => c.probe!.gray).length;
  const channels = o.channels ?? (grayCount === images.length ? 1 : 3);
  if (o.size === null && !commonSquare) ctx.note(`images of mixed sizes resized to ${size}×${size} (the default; --size to choose)`);
  if (channels === 3 && grayCount > 0) ctx.note(`${grayCount} grayscale image${grayCount === 1 ? '' : 's'} replicated to RGB`);
  if (channels === 1 && grayCount < images.length) ctx.note(`${images.length - grayCount} colour images converted to grayscale (--channels 1)`);

  // 3. Decode into the pool, slot = scan order, so parallel decoding gives the same result.
  ctx.reserve(images.length, { height: size, width: size, channels }, { pooled: true });
  const pool = ctx.pool({ height: size, width: size, channels }, images.length);
  try {
    const slotOf = new Map(images.map((c, i) => [c.path, i]));
    const decoded = new Uint8Array(images.length);
    ctx.progress.start('decode', images.length);
    await ctx.tree.eachFile(images.map((c) => c.path), async (path, bytes) => {
      const slot = slotOf.get(path)!;
      const c = images[slot];
      try {
        const pixels = await decodeToSquare(bytes, size, channels, o.fit);
        pool.put(slot, pixels, classIndex.get(c.className)!, c.split);
        decoded[slot] = 1;
      } catch (e) {
        ctx.skip(path, `cannot be decoded (${(e as Error).message})`);
      }
      ctx.progress.advance();
    }, { concurrency, signal: ctx.signal, onUnreadable: (path, reason) => (ctx.skip(path, reason), ctx.progress.advance()) });
    const decodedPaths = new Set(images.filter((_, i) => decoded[i]).map((c) => c.path));
    requireImages((i) => decodedPaths.has(candidates[i].path));

    // 4. Deal into train/test, each in a seeded shuffled order.
    const shape = { height: size, width: size, channels };
    const assignment = pool.assign(splitMode ? 0 : o.testFraction, o.seed, classNames.length);
    if (!splitMode && assignment.test.length === 0) {
      throw new EffconvError('INVALID_ARGUMENT', `${ctx.tree.describe(ctx.root)} has no test split and --test-fraction ${o.testFraction} holds out no image`, 'test-fraction');
    }
    pool.deal(assignment, { train: ctx.split('train', shape), test: ctx.split('test', shape) }, o.seed, ctx.progress);
  } finally {
    pool.dispose();
  }
  return { sourceFormat: 'image-folder', classNames, flipSafe: o.flip ?? true, resizedTo: size, heldOut: splitMode ? null : o.testFraction };
}

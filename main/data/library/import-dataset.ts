// Import a data set into the library, all or nothing: detect the format, let its importer write
// the splits into a temporary folder inside the library, describe them in meta.json, and
// rename the folder into place last. A failure, a cancel, or identical data already in the
// library leaves the library as it was.
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { writeJsonAtomic } from '../../common/atomic-write';
import { namedSystemError } from '../../common/system-errors';
import { BugError, EffconvError } from '../../contract/errors';
import { importCifar10, importCifar100 } from '../importers/cifar-import';
import { detectFormat, isDataMember } from '../importers/detect';
import { importIdx } from '../importers/idx-import';
import { importImageFolder } from '../importers/image-folder';
import { importImagenet32 } from '../importers/imagenet32';
import { importStl10 } from '../importers/stl10';
import { ARCHIVE_PATTERN, openTree } from '../sources/tree';
import { ImportContext, type ImportedSet, type ImportOptions, type ResolvedImportOptions } from './import-context';
import { checkDatasetName, createImportFolder, entryDir, libraryWrite, moveEntryAside, removeLeftovers } from './layout';
import { findDataset, listDatasets } from './catalog';
import { ImportProgress, type ProgressCallback } from './progress';
import { checksumOfRecord, META_FILE, SOURCE_FORMATS, type DatasetRecord, type SourceFormat } from './record';
import { statsFromSums } from './split-writer';

export interface ImportHooks {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

export interface ImportResult {
  /** The new entry, or the existing one holding identical data. */
  dataset: DatasetRecord;
  created: boolean;
  /** Name of the entry that already holds exactly this data (nothing was added). */
  duplicateOf: string | null;
  /** An entry of the same name was replaced (--replace). */
  replaced: boolean;
  /** Files this import skipped (also when it turned out to be a duplicate). */
  skipped: number;
}

const IMPORTERS: Record<SourceFormat, (ctx: ImportContext) => Promise<ImportedSet>> = {
  idx: importIdx,
  cifar10: importCifar10,
  cifar100: importCifar100,
  stl10: importStl10,
  imagenet32: importImagenet32,
  'image-folder': importImageFolder,
};

function invalid(flag: string, message: string): EffconvError {
  return new EffconvError('INVALID_ARGUMENT', `--${flag} ${message}`, flag);
}

/** 'auto' means detect; 'folder' is the UI contract's name for an image folder. */
function formatOption(f: string | undefined): SourceFormat | undefined {
  if (f === undefined || f === 'auto') return undefined;
  if (f === 'folder') return 'image-folder';
  if (!(SOURCE_FORMATS as readonly string[]).includes(f)) throw invalid('format', `must be one of auto, ${SOURCE_FORMATS.join(', ')}, got "${f}"`);
  return f as SourceFormat;
}

export function resolveImportOptions(o: ImportOptions): ResolvedImportOptions {
  const format = formatOption(o.format);
  if (o.size !== undefined && (!Number.isInteger(o.size) || o.size < 4 || o.size > 1024)) throw invalid('size', `must be an integer 4…1024, got ${o.size}`);
  if (o.testFraction !== undefined && !(o.testFraction > 0 && o.testFraction < 1)) throw invalid('test-fraction', `must be between 0 and 1 (exclusive), got ${o.testFraction}`);
  if (o.fit !== undefined && !['cover', 'contain', 'fill'].includes(o.fit)) throw invalid('fit', `must be cover, contain or fill, got "${o.fit}"`);
  if (o.channels !== undefined && o.channels !== 1 && o.channels !== 3) throw invalid('channels', `must be 1 or 3, got ${o.channels}`);
  if (o.labels !== undefined && o.labels !== 'fine' && o.labels !== 'coarse') throw invalid('labels', `must be fine or coarse, got "${o.labels}"`);
  if (o.seed !== undefined && (!Number.isInteger(o.seed) || o.seed < 0)) throw invalid('seed', `must be an integer >= 0, got ${o.seed}`);
  if (o.name !== undefined) checkDatasetName(o.name);
  return {
    name: o.name, format, size: o.size ?? null, fit: o.fit ?? 'cover', testFraction: o.testFraction ?? 0.1, seed: o.seed ?? 0,
    strict: o.strict ?? false, channels: o.channels ?? null, unlabeled: o.unlabeled ?? false, labels: o.labels ?? 'fine', flip: o.flip ?? null, replace: o.replace ?? false,
  };
}

export function defaultDatasetName(format: SourceFormat, source: string, o: ResolvedImportOptions): string {
  const base = basename(source).replace(ARCHIVE_PATTERN, '').replace(/\.npz$/i, '').replace(/[^A-Za-z0-9._+-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 56) || 'dataset';
  let name: string;
  switch (format) {
    case 'idx':
      name = /fashion/i.test(source) ? 'fashion-mnist' : /mnist/i.test(source) && !/[ek]mnist/i.test(source) ? 'mnist' : base;
      break;
    case 'cifar10':
      name = 'cifar-10';
      break;
    case 'cifar100':
      name = o.labels === 'coarse' ? 'cifar-100-coarse' : 'cifar-100';
      break;
    case 'stl10':
      name = 'stl-10';
      break;
    case 'imagenet32':
      name = /64/.test(basename(source)) ? 'imagenet-64' : /16/.test(basename(source)) ? 'imagenet-16' : 'imagenet-32';
      break;
    default:
      name = base;
  }
  return o.size !== null && !name.endsWith(`-${o.size}`) ? `${name}-${o.size}` : name;
}

function describe(ctx: ImportContext, set: ImportedSet, name: string, source: string): DatasetRecord {
  const classes = set.classNames.length;
  const train = ctx.writers.get('train');
  const test = ctx.writers.get('test');
  if (!train || !test) throw new BugError(`the ${set.sourceFormat} importer wrote no ${train ? 'test' : 'train'} split`);
  if (train.count === 0) throw new EffconvError('DATASET_MALFORMED', `${source}: no training images`, source);
  if (test.count === 0) throw new EffconvError('DATASET_MALFORMED', `${source}: no test images (a run is measured on them)`, source);
  const unlabeled = ctx.writers.get('unlabeled');
  const { labels: _l1, ...tr } = train.finish(classes);
  const { labels: _l2, ...te } = test.finish(classes);
  const un = unlabeled ? (({ labels: _l3, ...u }) => u)(unlabeled.finish(classes)) : undefined;
  const empty = tr.perClass.flatMap((n, c) => (n === 0 ? [set.classNames[c]] : []));
  if (empty.length) ctx.note(`classes with no training image: ${empty.slice(0, 10).join(', ')}${empty.length > 10 ? '…' : ''}`);
  const { mean, std } = statsFromSums(train);
  const record: DatasetRecord = {
    format: 'effconv.dataset', version: 1, name, sourceFormat: set.sourceFormat, source, createdAt: new Date().toISOString(),
    height: train.shape.height, width: train.shape.width, channels: train.shape.channels, classes, classNames: set.classNames,
    ...(set.coarseClassNames ? { coarseClassNames: set.coarseClassNames } : {}),
    splits: { train: tr, test: te, ...(un ? { unlabeled: un } : {}) },
    mean, std, flipSafe: set.flipSafe, sha256: '', skipped: ctx.skippedCount, skippedExamples: ctx.skipped,
    import: {
      size: ctx.options.size ?? set.resizedTo ?? null, fit: ctx.options.fit, testFraction: set.heldOut ?? null, seed: ctx.options.seed,
      ...(set.sourceFormat === 'cifar100' ? { labels: ctx.options.labels } : {}),
    },
    notes: ctx.notes,
  };
  record.sha256 = checksumOfRecord(record);
  return record;
}

/**
 * What the tree could not read, under the data set's folder: an unreadable folder stops the
 * import (what it holds is unknown); an unreadable file that is one of a binary format's data
 * files stops it too (the set would be smaller without a word); any other (a dangling link in a
 * class folder) is skipped and reported, or fatal with --strict.
 */
function applyTreeProblems(ctx: ImportContext, format: SourceFormat): void {
  const prefix = ctx.root ? ctx.root + '/' : '';
  const under = (p: string) => ctx.root === '' || p === ctx.root || p.startsWith(prefix);
  for (const p of ctx.tree.problems) {
    if (!under(p.path) && !(p.kind === 'folder' && p.path === '.')) continue;
    const where = ctx.tree.describe(p.path === '.' ? '' : p.path);
    if (p.kind === 'folder') throw new EffconvError('DATASET_UNREADABLE', `${where}: ${p.reason}: what it holds cannot be imported; fix its permissions or remove it`, where);
    if (format !== 'image-folder' && isDataMember(format, p.path.slice(p.path.lastIndexOf('/') + 1))) {
      throw new EffconvError('DATASET_UNREADABLE', `${where}: ${p.reason}: it is one of the ${format} data files, so the set cannot be imported without it`, where);
    }
    ctx.skip(p.path, p.reason);
  }
  for (const n of ctx.tree.notes) ctx.note(n);
}

export async function importDataset(path: string, options: ImportOptions = {}, hooks: ImportHooks = {}): Promise<ImportResult> {
  removeLeftovers();
  const o = resolveImportOptions(options);
  const source = resolve(path);
  const progress = new ImportProgress(hooks.onProgress, hooks.signal);
  // Opening an archive reads it once to list it: that is the first progress phase.
  progress.start('scan', existsSync(source) && ARCHIVE_PATTERN.test(source) ? statSync(source).size : 0);
  const tree = await openTree(source, { signal: hooks.signal, onRead: (done) => progress.set(done) });
  try {
    const detected = detectFormat(tree, o.format);
    const name = checkDatasetName(o.name ?? defaultDatasetName(detected.format, source, o));
    const existing = findDataset(name);
    if (existing && !o.replace && existing.source !== source) {
      throw new EffconvError('DATASET_EXISTS', `the library already has a dataset "${name}" (from ${existing.source}): choose another --name, or --replace it`, name);
    }
    const folder = createImportFolder(source);
    const ctx = new ImportContext(tree, detected.root, o, folder.dir, progress, hooks.signal);
    try {
      applyTreeProblems(ctx, detected.format);
      const set = await IMPORTERS[detected.format](ctx);
      progress.check();
      progress.start('verify', 1);
      const record = describe(ctx, set, name, source);
      const same = listDatasets().find((d) => d.sha256 === record.sha256);
      if (same) return { dataset: same, created: false, duplicateOf: same.name, replaced: false, skipped: ctx.skippedCount };
      rmSync(join(folder.dir, 'importing.json'), { force: true });
      writeJsonAtomic(join(folder.dir, META_FILE), record);
      progress.check();
      let aside: string | null = null;
      if (existsSync(entryDir(name))) {
        if (!o.replace) throw new EffconvError('DATASET_EXISTS', `the library already has a dataset "${name}" with different data: choose another --name, or --replace it`, name);
        aside = moveEntryAside(name);
      }
      renameSync(folder.dir, entryDir(name));
      if (aside) rmSync(aside, { recursive: true, force: true });
      progress.advance();
      return { dataset: record, created: true, duplicateOf: null, replaced: aside !== null, skipped: ctx.skippedCount };
    } catch (e) {
      ctx.abort();
      // Reading the user's files is named where it happens (DATASET_UNREADABLE); what is left is our writing.
      throw namedSystemError(e, libraryWrite('import into the dataset library in', ctx.plannedBytes));
    } finally {
      folder.discard();
    }
  } finally {
    tree.close();
  }
}

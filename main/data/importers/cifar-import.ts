// CIFAR-10 (data_batch_1…5.bin, test_batch.bin, batches.meta.txt) and CIFAR-100 (train.bin,
// test.bin, fine_label_names.txt, coarse_label_names.txt) binary versions, each file plain
// or gzipped, from the folder or the .tar.gz as downloaded. Every data file is required (a
// batch missing is a partial download, never a smaller data set); a batch may hold fewer than
// its 10,000 records (a prefix subset), which is noted.
import type { ImportContext, ImportedSet } from '../library/import-context';
import { malformed } from '../malformed';
import { CIFAR10_CLASSES } from './class-names';
import { CIFAR_PIXELS, parseCifarRecords } from './cifar-binary';
import { nameLines, readFiles, targetShape, writeImages } from './emit';
import { CIFAR100_TEST, CIFAR100_TRAIN, CIFAR10_BATCH, CIFAR10_BATCHES, CIFAR10_TEST } from './member-names';

const NATIVE = { height: 32, width: 32, channels: 3 };

/** Files of the root folder whose names match, in byte order (so "x.bin" comes before "x.bin.gz"). */
function inRoot(ctx: ImportContext, re: RegExp): string[] {
  const prefix = ctx.root ? ctx.root + '/' : '';
  return ctx.tree.entries.map((e) => e.path).filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/') && re.test(p.slice(prefix.length)));
}

const baseName = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

function missing(ctx: ImportContext, files: string[], set: string): Error {
  const what = files.length === 1 ? `${files[0]} is` : `${files.slice(0, -1).join(', ')} and ${files[files.length - 1]} are`;
  return malformed(ctx.tree.describe(ctx.root), `${what} missing: ${set}, each plain or .gz (a partial download or extraction?)`);
}

const CIFAR10_SET = `CIFAR-10 binary has data_batch_1.bin … data_batch_${CIFAR10_BATCHES}.bin and test_batch.bin`;

/** One file per batch number 1…N (N ≥ 5, no gap), the plain file when both it and its .gz are there. */
function cifar10Batches(ctx: ImportContext): string[] {
  const byNumber = new Map<number, string>();
  for (const p of inRoot(ctx, CIFAR10_BATCH)) {
    const n = Number(CIFAR10_BATCH.exec(baseName(p))![1]);
    if (!byNumber.has(n)) byNumber.set(n, p);
  }
  const last = Math.max(CIFAR10_BATCHES, ...byNumber.keys());
  const gaps = Array.from({ length: last }, (_, i) => i + 1).filter((n) => !byNumber.has(n));
  if (gaps.length > 0) {
    throw missing(ctx, gaps.map((n) => `data_batch_${n}.bin`), CIFAR10_SET);
  }
  return Array.from({ length: last }, (_, i) => byNumber.get(i + 1)!);
}

export async function importCifar10(ctx: ImportContext): Promise<ImportedSet> {
  const test = inRoot(ctx, CIFAR10_TEST).slice(0, 1);
  if (test.length === 0) throw missing(ctx, ['test_batch.bin'], CIFAR10_SET);
  const train = cifar10Batches(ctx);
  const meta = inRoot(ctx, /^batches\.meta\.txt$/);
  const files = await readFiles(ctx, [...train, ...test, ...meta]);
  const names = nameLines(files.get(meta[0]));
  if (names && names.length !== 10) throw malformed(ctx.tree.describe(meta[0]), `${names.length} class names, CIFAR-10 has 10`);
  const parsed = (p: string) => parseCifarRecords(files.get(p)!, ctx.tree.describe(p), 1, 10);
  const total = [...train, ...test].reduce((n, p) => n + files.get(p)!.length / (1 + CIFAR_PIXELS), 0);
  const shape = targetShape(ctx, NATIVE);
  ctx.reserve(Math.floor(total), shape);
  ctx.progress.start('write', Math.floor(total));
  for (const p of train) {
    const r = parsed(p);
    await writeImages(ctx, ctx.split('train', shape), r.pixels, r.labels, NATIVE);
  }
  const t = parsed(test[0]);
  await writeImages(ctx, ctx.split('test', shape), t.pixels, t.labels, NATIVE);
  const counts = train.map((p) => `${p.slice(p.lastIndexOf('/') + 1)} ${files.get(p)!.length / (1 + CIFAR_PIXELS)}`);
  if (files.get(train[0])!.length / (1 + CIFAR_PIXELS) !== 10000) ctx.note(`records per batch: ${counts.join(', ')} (not the full 10,000)`);
  return { sourceFormat: 'cifar10', classNames: names ?? [...CIFAR10_CLASSES], flipSafe: ctx.options.flip ?? true };
}

export async function importCifar100(ctx: ImportContext): Promise<ImportedSet> {
  const [train] = inRoot(ctx, CIFAR100_TRAIN);
  const [test] = inRoot(ctx, CIFAR100_TEST);
  const set = 'CIFAR-100 binary has train.bin and test.bin';
  if (!train) throw missing(ctx, ['train.bin'], set);
  if (!test) throw missing(ctx, ['test.bin'], set);
  const fineFile = inRoot(ctx, /^fine_label_names\.txt$/)[0];
  const coarseFile = inRoot(ctx, /^coarse_label_names\.txt$/)[0];
  const files = await readFiles(ctx, [train, test, fineFile, coarseFile].filter(Boolean));
  const coarse = ctx.options.labels === 'coarse';
  const fine = nameLines(files.get(fineFile));
  const coarseNames = nameLines(files.get(coarseFile));
  for (const [names, file, n] of [[fine, fineFile, 100], [coarseNames, coarseFile, 20]] as const) {
    if (names && names.length !== n) throw malformed(ctx.tree.describe(file), `${names.length} class names, expected ${n}`);
  }
  const shape = targetShape(ctx, NATIVE);
  const parse = (p: string) => {
    const r = parseCifarRecords(files.get(p)!, ctx.tree.describe(p), 2, 100);
    r.coarse!.forEach((c, i) => {
      if (c >= 20) throw malformed(ctx.tree.describe(p), `record ${i} has coarse label ${c}, out of range 0…19`);
    });
    return r;
  };
  const tr = parse(train);
  const te = parse(test);
  ctx.reserve(tr.count + te.count, shape);
  ctx.progress.start('write', tr.count + te.count);
  await writeImages(ctx, ctx.split('train', shape), tr.pixels, coarse ? tr.coarse! : tr.labels, NATIVE);
  await writeImages(ctx, ctx.split('test', shape), te.pixels, coarse ? te.coarse! : te.labels, NATIVE);
  const numbered = (n: number) => Array.from({ length: n }, (_, i) => String(i));
  return {
    sourceFormat: 'cifar100',
    classNames: coarse ? (coarseNames ?? numbered(20)) : (fine ?? numbered(100)),
    coarseClassNames: coarse ? undefined : (coarseNames ?? undefined),
    flipSafe: ctx.options.flip ?? true,
  };
}

// CIFAR-10 (data_batch_1…5.bin, test_batch.bin, batches.meta.txt) and CIFAR-100 (train.bin,
// test.bin, fine_label_names.txt, coarse_label_names.txt) binary versions, each file plain
// or gzipped, from the folder, the .tar.gz as downloaded, or a prefix subset of the batches.
import { EffconvError } from '../../contract/errors';
import type { ImportContext, ImportedSet } from '../library/import-context';
import { CIFAR10_CLASSES } from './class-names';
import { CIFAR_PIXELS, parseCifarRecords } from './cifar-binary';
import { nameLines, readFiles, targetShape, writeImages } from './emit';

const NATIVE = { height: 32, width: 32, channels: 3 };

function inRoot(ctx: ImportContext, re: RegExp): string[] {
  const prefix = ctx.root ? ctx.root + '/' : '';
  return ctx.tree.entries.map((e) => e.path).filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/') && re.test(p.slice(prefix.length)));
}

const batchNumber = (p: string): number => Number(/data_batch_(\d+)/.exec(p)?.[1] ?? 0);

export async function importCifar10(ctx: ImportContext): Promise<ImportedSet> {
  const train = inRoot(ctx, /^data_batch_\d+\.bin(\.gz)?$/).sort((a, b) => batchNumber(a) - batchNumber(b));
  const test = inRoot(ctx, /^test_batch\.bin(\.gz)?$/);
  const meta = inRoot(ctx, /^batches\.meta\.txt$/);
  const files = await readFiles(ctx, [...train, ...test, ...meta]);
  const names = nameLines(files.get(meta[0]));
  if (names && names.length !== 10) throw new EffconvError('DATASET_MALFORMED', `${ctx.tree.describe(meta[0])}: ${names.length} class names, CIFAR-10 has 10`, meta[0]);
  const parsed = (p: string) => parseCifarRecords(files.get(p)!, ctx.tree.describe(p), 1, 10);
  const total = [...train, ...test].reduce((n, p) => n + files.get(p)!.length / (1 + CIFAR_PIXELS), 0);
  const shape = targetShape(ctx, NATIVE);
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
  const [train] = inRoot(ctx, /^train\.bin(\.gz)?$/);
  const [test] = inRoot(ctx, /^test\.bin(\.gz)?$/);
  const fineFile = inRoot(ctx, /^fine_label_names\.txt$/)[0];
  const coarseFile = inRoot(ctx, /^coarse_label_names\.txt$/)[0];
  const files = await readFiles(ctx, [train, test, fineFile, coarseFile].filter(Boolean));
  const coarse = ctx.options.labels === 'coarse';
  const fine = nameLines(files.get(fineFile));
  const coarseNames = nameLines(files.get(coarseFile));
  for (const [names, file, n] of [[fine, fineFile, 100], [coarseNames, coarseFile, 20]] as const) {
    if (names && names.length !== n) throw new EffconvError('DATASET_MALFORMED', `${ctx.tree.describe(file)}: ${names.length} class names, expected ${n}`, file);
  }
  const shape = targetShape(ctx, NATIVE);
  const parse = (p: string) => {
    const r = parseCifarRecords(files.get(p)!, ctx.tree.describe(p), 2, 100);
    r.coarse!.forEach((c, i) => {
      if (c >= 20) throw new EffconvError('DATASET_MALFORMED', `${ctx.tree.describe(p)}: record ${i} has coarse label ${c}, out of range 0…19`, p);
    });
    return r;
  };
  const tr = parse(train);
  const te = parse(test);
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

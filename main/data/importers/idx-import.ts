// MNIST-style idx files (MNIST, Fashion-MNIST, EMNIST, KMNIST…) from a folder or an archive:
// train and test pairs as published, or only the test pair, from which a fraction is held out.
import { EffconvError } from '../../contract/errors';
import type { ImportContext, ImportedSet } from '../library/import-context';
import { DIGIT_CLASSES, FASHION_MNIST_CLASSES } from './class-names';
import { readFiles, resizeIfAsked, targetShape, writeImages } from './emit';
import { parseIdxImages, parseIdxLabels, type IdxImages } from './idx';

const NAMES = {
  trainImages: /^train-images[-.]idx3-ubyte(\.gz)?$/,
  trainLabels: /^train-labels[-.]idx1-ubyte(\.gz)?$/,
  testImages: /^(t10k|test)-images[-.]idx3-ubyte(\.gz)?$/,
  testLabels: /^(t10k|test)-labels[-.]idx1-ubyte(\.gz)?$/,
};

function malformed(where: string, reason: string): EffconvError {
  return new EffconvError('DATASET_MALFORMED', `${where}: ${reason}`, where);
}

/**
 * Classes are inferred as max label + 1 (idx has no class count); a label beyond the others
 * (a class with no training image below it) is reported as out of range.
 */
export function checkIdxLabels(train: Uint8Array, test: Uint8Array, trainFile: string, testFile: string): number {
  const counts = new Array(256).fill(0);
  for (const l of train) counts[l] += 1;
  let classes = 0;
  for (const l of train) classes = Math.max(classes, l + 1);
  for (let i = 0; i < test.length; i++) {
    if (test[i] >= classes) throw malformed(testFile, `label ${test[i]} of image ${i} is out of range: the training labels are 0…${classes - 1}`);
  }
  const missing = counts.slice(0, classes).flatMap((c, k) => (c === 0 ? [k] : []));
  if (missing.length > 0) {
    const bad = train.findIndex((l) => l > missing[0]);
    throw malformed(trainFile, `label ${train[bad]} of image ${bad} is out of range: no image has label${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? '…' : ''} below it`);
  }
  return classes;
}

export async function importIdx(ctx: ImportContext): Promise<ImportedSet> {
  const prefix = ctx.root ? ctx.root + '/' : '';
  const lookup = (re: RegExp): string | null =>
    ctx.tree.entries.find((x) => x.path.startsWith(prefix) && !x.path.slice(prefix.length).includes('/') && re.test(x.path.slice(prefix.length)))?.path ?? null;
  const find = (re: RegExp): string => {
    const p = lookup(re);
    if (!p) throw new EffconvError('DATASET_NOT_FOUND', `${ctx.tree.describe(ctx.root)}: no file matching ${re.source}`, ctx.tree.source);
    return p;
  };
  // Only the test files (the t10k-… pair, e.g. MNIST's 10,000-image test set): a fraction is held out.
  if (!lookup(NAMES.trainImages) && !lookup(NAMES.trainLabels)) return importHeldOut(ctx, find(NAMES.testImages), find(NAMES.testLabels));
  const paths = { trainImages: find(NAMES.trainImages), trainLabels: find(NAMES.trainLabels), testImages: find(NAMES.testImages), testLabels: find(NAMES.testLabels) };
  const files = await readFiles(ctx, Object.values(paths));
  const train = readSplit(ctx, files, paths.trainImages, paths.trainLabels);
  const test = readSplit(ctx, files, paths.testImages, paths.testLabels);
  const d = (p: string) => ctx.tree.describe(p);
  if (train.im.rows !== test.im.rows || train.im.cols !== test.im.cols) {
    throw malformed(d(paths.testImages), `test images are ${test.im.rows}×${test.im.cols} but train images are ${train.im.rows}×${train.im.cols}`);
  }
  const classes = checkIdxLabels(train.lb, test.lb, d(paths.trainLabels), d(paths.testLabels));
  const native = { height: train.im.rows, width: train.im.cols, channels: 1 };
  const shape = targetShape(ctx, native);
  ctx.progress.start('write', train.im.count + test.im.count);
  await writeImages(ctx, ctx.split('train', shape), train.im.pixels, train.lb, native);
  await writeImages(ctx, ctx.split('test', shape), test.im.pixels, test.lb, native);
  return described(ctx, classes);
}

function readSplit(ctx: ImportContext, files: Map<string, Buffer>, images: string, labels: string): { im: IdxImages; lb: Uint8Array } {
  const d = (p: string) => ctx.tree.describe(p);
  const im = parseIdxImages(files.get(images)!, d(images));
  const lb = parseIdxLabels(files.get(labels)!, d(labels));
  if (im.count !== lb.length) throw malformed(d(labels), `${lb.length} labels for ${im.count} images in ${d(images)}`);
  return { im, lb };
}

/** One labelled idx pair dealt into train and test: --test-fraction per class, seeded, as image folders are. */
async function importHeldOut(ctx: ImportContext, imagesPath: string, labelsPath: string): Promise<ImportedSet> {
  const files = await readFiles(ctx, [imagesPath, labelsPath]);
  const all = readSplit(ctx, files, imagesPath, labelsPath);
  const classes = checkIdxLabels(all.lb, new Uint8Array(0), ctx.tree.describe(labelsPath), ctx.tree.describe(labelsPath));
  const native = { height: all.im.rows, width: all.im.cols, channels: 1 };
  const shape = targetShape(ctx, native);
  const per = native.height * native.width;
  const pool = ctx.pool(shape, all.im.count);
  try {
    ctx.progress.start('decode', all.im.count);
    for (let i = 0; i < all.im.count; i++) {
      if (i % 512 === 0) ctx.progress.check();
      pool.put(i, await resizeIfAsked(ctx, all.im.pixels.subarray(i * per, (i + 1) * per), native), all.lb[i], null);
      ctx.progress.advance();
    }
    const assignment = pool.assign(ctx.options.testFraction, ctx.options.seed, classes);
    pool.deal(assignment, { train: ctx.split('train', shape), test: ctx.split('test', shape) }, ctx.options.seed, ctx.progress);
  } finally {
    pool.dispose();
  }
  ctx.note(`only ${ctx.rel(imagesPath)} and ${ctx.rel(labelsPath)}: ${ctx.options.testFraction} of each class held out as the test split (seed ${ctx.options.seed})`);
  return { ...described(ctx, classes), heldOut: ctx.options.testFraction };
}

function described(ctx: ImportContext, classes: number): ImportedSet {
  const fashion = /fashion/i.test(ctx.tree.source + '/' + ctx.root);
  const classNames = classes === 10 ? (fashion ? FASHION_MNIST_CLASSES : DIGIT_CLASSES) : Array.from({ length: classes }, (_, i) => String(i));
  // Flips change digits and (per the EffConv recipe) are not used for Fashion-MNIST.
  return { sourceFormat: 'idx', classNames: [...classNames], flipSafe: ctx.options.flip ?? false };
}

// STL-10 binary (stl10_binary/ or the .tar.gz): train_X.bin / test_X.bin hold 96×96×3 images
// stored column-major per channel plane (MATLAB order), train_y.bin / test_y.bin one label
// byte 1…10 per image. unlabeled_X.bin (100,000 images) is stored only when asked for.
import type { ImportContext, ImportedSet } from '../library/import-context';
import type { SplitName } from '../library/record';
import { ChunkReader } from '../sources/chunk-reader';
import { STL10_CLASSES } from './class-names';
import { nameLines, readFiles, targetShape, writeImages } from './emit';
import { malformed, readFailure } from '../malformed';
import { STL10_MEMBERS } from './member-names';
import { planarToHwc } from './planar';

export const STL_SIDE = 96;
export const STL_RECORD = STL_SIDE * STL_SIDE * 3;
const NATIVE = { height: STL_SIDE, width: STL_SIDE, channels: 3 };

const PLANES = { ...NATIVE, columnMajor: true };

export async function importStl10(ctx: ImportContext): Promise<ImportedSet> {
  const prefix = ctx.root ? ctx.root + '/' : '';
  const entry = (name: string) => ctx.tree.entries.find((e) => e.path === prefix + name);
  const need = (name: string) => {
    const e = entry(name);
    if (!e) throw malformed(ctx.tree.describe(ctx.root), `${name} is missing: STL-10 binary has ${STL10_MEMBERS.join(', ')} (a partial download or extraction?)`);
    return e;
  };
  const x = { train: need('train_X.bin'), test: need('test_X.bin') } as Record<SplitName, { path: string; size: number }>;
  const y = { train: need('train_y.bin'), test: need('test_y.bin') };
  if (ctx.options.unlabeled) {
    const u = entry('unlabeled_X.bin');
    if (!u) throw malformed(ctx.tree.describe(ctx.root), 'unlabeled_X.bin is missing (asked for with --unlabeled)');
    x.unlabeled = u;
  }
  const namesEntry = entry('class_names.txt');
  const files = await readFiles(ctx, [y.train.path, y.test.path, ...(namesEntry ? [namesEntry.path] : [])]);
  const names = nameLines(files.get(namesEntry?.path ?? '')) ?? [...STL10_CLASSES];
  const classes = names.length;

  const labels: Partial<Record<SplitName, Uint8Array>> = {};
  for (const split of Object.keys(x) as SplitName[]) {
    const xe = x[split];
    if (xe.size % STL_RECORD !== 0) throw malformed(ctx.tree.describe(xe.path), `${xe.size} bytes is not a whole number of ${STL_RECORD}-byte 96×96×3 images (truncated?)`);
    if (split === 'unlabeled') continue;
    const yPath = y[split].path;
    const raw = files.get(yPath)!;
    if (raw.length !== xe.size / STL_RECORD) throw malformed(ctx.tree.describe(yPath), `${raw.length} labels for ${xe.size / STL_RECORD} images in ${ctx.rel(xe.path)}`);
    const zeroBased = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] < 1 || raw[i] > classes) throw malformed(ctx.tree.describe(yPath), `label ${raw[i]} of image ${i} is out of range 1…${classes}`);
      zeroBased[i] = raw[i] - 1;
    }
    labels[split] = zeroBased;
  }

  const shape = targetShape(ctx, NATIVE);
  const splitOf = new Map(Object.entries(x).map(([s, e]) => [e.path, s as SplitName]));
  const total = Object.values(x).reduce((n, e) => n + e.size / STL_RECORD, 0);
  ctx.reserve(total, shape);
  ctx.progress.start('write', total);
  const block = 256;
  await ctx.tree.streamFiles([...splitOf.keys()], async (path, chunks) => {
    const split = splitOf.get(path)!;
    const writer = ctx.split(split, shape, split !== 'unlabeled');
    const reader = new ChunkReader(chunks[Symbol.asyncIterator](), (e) => readFailure(ctx.tree.describe(path), e));
    const hwc = new Uint8Array(block * STL_RECORD);
    let n = 0;
    for (;;) {
      let k = 0;
      for (; k < block; k++) {
        const rec = await reader.exactly(STL_RECORD);
        if (rec === null) break;
        if (rec.length < STL_RECORD) throw malformed(ctx.tree.describe(path), `truncated inside image ${n + k}`);
        planarToHwc(rec, 0, PLANES, hwc, k * STL_RECORD);
      }
      if (k === 0) break;
      const lab = labels[split]?.subarray(n, n + k) ?? null;
      await writeImages(ctx, writer, hwc.subarray(0, k * STL_RECORD), lab, NATIVE);
      n += k;
      if (k < block) break;
    }
  }, ctx.signal);
  return { sourceFormat: 'stl10', classNames: names, flipSafe: ctx.options.flip ?? true };
}

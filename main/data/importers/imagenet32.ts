// Downsampled ImageNet (ImageNet-32, also -16/-64) as published: train_data_batch_1…10.npz and
// val_data.npz, each an npz (zip) with 'data' (N × 3·S·S uint8, channel-major rows: all R, then
// G, then B) and 'labels' (1…1000). Data is streamed row by row out of the zip entry, so a
// 400 MB batch never sits in memory. Class names come from map_clsloc.txt when it is there.
import { basename } from 'node:path';
import type { ImportContext, ImportedSet } from '../library/import-context';
import type { Pool, PoolSplit } from '../library/pool';
import type { SplitWriter } from '../library/split-writer';
import { bufferSource, ChunkReader } from '../sources/chunk-reader';
import { ZipFile } from '../sources/zip';
import { NPZ_BATCH } from './detect';
import { readFiles, resizeIfAsked, targetShape, writeImages } from './emit';
import { decodeIntegers, elementCount, readNpyHeader, type NpyHeader } from './npy';
import { malformed, readFailure } from '../malformed';
import { planarToHwc } from './planar';

interface Npz {
  path: string;
  file: string;
  zip: ZipFile;
  labels: Float64Array;
  data: NpyHeader;
  side: number;
}

/** Open an npz: both keys present, labels read, the data header checked against them. */
async function openNpz(ctx: ImportContext, path: string): Promise<Npz> {
  const where = ctx.tree.describe(path);
  const file = await ctx.tree.localFile(path, ctx.dir, ctx.signal);
  const zip = ZipFile.open(file, where);
  try {
    const keys = zip.entries.map((e) => e.name.replace(/\.npy$/, ''));
    for (const key of ['data', 'labels']) {
      if (!keys.includes(key)) throw malformed(where, `no '${key}' array (the npz has: ${keys.join(', ') || 'nothing'}); ImageNet-32 batches have 'data' and 'labels'`);
    }
    const lr = new ChunkReader(bufferSource(zip.readEntry(zip.find('labels.npy')!)), (e) => e as Error);
    const lh = await readNpyHeader(lr, `${where}:labels.npy`);
    const labels = decodeIntegers(lh, (await lr.exactly(elementCount(lh) * lh.itemSize)) ?? Buffer.alloc(0), `${where}:labels.npy`);
    const dr = new ChunkReader(zip.streamEntry(zip.find('data.npy')!, ctx.signal), (e) => e as Error);
    const data = await readNpyHeader(dr, `${where}:data.npy`).finally(() => dr.close());
    if (data.descr.slice(1) !== 'u1') throw malformed(`${where}:data.npy`, `dtype '${data.descr}', expected uint8 ('|u1')`);
    if (data.fortranOrder) throw malformed(`${where}:data.npy`, 'Fortran-ordered data is not supported (save it with C order)');
    const rowLength = data.shape.slice(1).reduce((a, b) => a * b, 1);
    const side = Math.round(Math.sqrt(rowLength / 3));
    const okShape = side >= 1 && (data.shape.length === 2 || (data.shape.length === 4 && data.shape[1] === 3 && data.shape[2] === data.shape[3])) && 3 * side * side === rowLength;
    if (!okShape) throw malformed(`${where}:data.npy`, `shape (${data.shape.join(', ')}) is not N × 3·S·S channel-major images`);
    if (labels.length !== data.shape[0]) throw malformed(where, `${labels.length} labels for ${data.shape[0]} images`);
    return { path, file, zip, labels, data, side };
  } catch (e) {
    zip.close();
    throw e;
  }
}

const batchNumber = (p: string): number => Number(/_(\d+)\.npz$/.exec(p)?.[1] ?? 0);

/** The train batches are numbered 1…N without a gap (a gap is a partial download), and no file comes twice. */
function checkBatches(ctx: ImportContext, named: string[], trainPaths: string[]): void {
  const seen = new Map<string, string>();
  for (const p of named) {
    const other = seen.get(basename(p));
    if (other) throw malformed(ctx.tree.describe(p), `a second ${basename(p)} (the first is ${ctx.tree.describe(other)}): give the folder of one set`);
    seen.set(basename(p), p);
  }
  const numbers = new Set(trainPaths.map(batchNumber));
  const last = Math.max(0, ...numbers);
  const gaps = Array.from({ length: last }, (_, i) => i + 1).filter((n) => !numbers.has(n));
  if (gaps.length > 0) {
    throw malformed(ctx.tree.describe(ctx.root), `train_data_batch_${gaps[0]}.npz is missing${gaps.length > 1 ? ` (and ${gaps.slice(1).map((n) => `train_data_batch_${n}.npz`).join(', ')})` : ''}: the train batches are numbered from 1 without a gap (a partial download?)`);
  }
}

export async function importImagenet32(ctx: ImportContext): Promise<ImportedSet> {
  const prefix = ctx.root ? ctx.root + '/' : '';
  const npzPaths = ctx.tree.entries.map((e) => e.path).filter((p) => p.startsWith(prefix) && p.endsWith('.npz'));
  const named = npzPaths.filter((p) => NPZ_BATCH.test(basename(p)));
  const trainPaths = named.filter((p) => basename(p).startsWith('train_')).sort((a, b) => batchNumber(a) - batchNumber(b));
  const valPaths = named.filter((p) => basename(p) === 'val_data.npz');
  // One npz given by itself is the user's choice; a folder or an archive must hold its batches without a gap.
  if (!/\.npz$/i.test(ctx.tree.source)) checkBatches(ctx, named, trainPaths);
  // Train and val both there: keep them. Otherwise every npz is one pool and a fraction is held out.
  const heldOut = trainPaths.length === 0 || valPaths.length === 0;
  const sources: { path: string; split: PoolSplit }[] = heldOut ? (named.length ? named : npzPaths).map((path) => ({ path, split: null })) : [...trainPaths.map((path) => ({ path, split: 'train' as const })), { path: valPaths[0], split: 'test' as const }];

  const mapFile = ctx.tree.entries.find((e) => e.path.startsWith(prefix) && basename(e.path) === 'map_clsloc.txt');
  const mapNames = mapFile ? (await readFiles(ctx, [mapFile.path])).get(mapFile.path)!.toString('utf8').split(/\r?\n/).filter((l) => l.trim()) : null;

  // An archive's npz files are extracted next to the import first.
  const extracted = ctx.tree.kind === 'folder' ? 0 : sources.reduce((n, s) => n + (ctx.tree.entries.find((e) => e.path === s.path)?.size ?? 0), 0);
  ctx.reserve(0, null, { extraBytes: extracted });
  // Pass 1: labels and shapes of every file (small), so ranges are checked before any pixel is written.
  const opened: Npz[] = [];
  try {
    ctx.progress.start('scan', sources.length);
    for (const s of sources) {
      opened.push(await openNpz(ctx, s.path));
      ctx.progress.advance();
    }
    const side = opened[0].side;
    let maxLabel = 0;
    for (const f of opened) {
      if (f.side !== side) throw malformed(ctx.tree.describe(f.path), `images are ${f.side}×${f.side}, the first file's are ${side}×${side}`);
      for (let i = 0; i < f.labels.length; i++) {
        const l = f.labels[i];
        if (!Number.isInteger(l) || l < 1 || (mapNames && l > mapNames.length)) {
          throw malformed(ctx.tree.describe(f.path), `label ${l} of image ${i} is out of range 1…${mapNames ? mapNames.length : 'N'} (ImageNet-32 labels start at 1)`);
        }
        maxLabel = Math.max(maxLabel, l);
      }
    }
    const classes = mapNames ? mapNames.length : maxLabel;
    const native = { height: side, width: side, channels: 3 };
    const shape = targetShape(ctx, native);
    const total = opened.reduce((n, f) => n + f.labels.length, 0);
    ctx.reserve(total, shape, { pooled: heldOut, extraBytes: extracted });
    const pool = heldOut ? ctx.pool(shape, total) : null;

    // Pass 2: stream the pixels.
    ctx.progress.start('write', total);
    let slot = 0;
    for (let k = 0; k < opened.length; k++) {
      const f = opened[k];
      const writer = pool ? null : ctx.split(sources[k].split as 'train' | 'test', shape);
      slot = await copyRows(ctx, f, writer, pool, slot, native);
      f.zip.close();
    }
    if (pool) {
      try {
        pool.deal(pool.assign(ctx.options.testFraction, ctx.options.seed, classes), { train: ctx.split('train', shape), test: ctx.split('test', shape) }, ctx.options.seed, ctx.progress);
      } finally {
        pool.dispose();
      }
      ctx.note(`no train/val pair of files: ${Math.round(ctx.options.testFraction * 100)}% held out per class as the test split`);
    }
    const classNames = mapNames ? mapNames.map((l) => l.trim().split(/\s+/).slice(2).join(' ') || l.trim().split(/\s+/)[0]) : Array.from({ length: classes }, (_, i) => String(i + 1));
    return { sourceFormat: 'imagenet32', classNames, flipSafe: ctx.options.flip ?? true, heldOut: heldOut ? ctx.options.testFraction : null };
  } finally {
    for (const f of opened) f.zip.close();
  }
}

async function copyRows(ctx: ImportContext, f: Npz, writer: SplitWriter | null, pool: Pool | null, slot: number, native: { height: number; width: number; channels: number }): Promise<number> {
  const where = `${ctx.tree.describe(f.path)}:data.npy`;
  const reader = new ChunkReader(f.zip.streamEntry(f.zip.find('data.npy')!, ctx.signal), (e) => readFailure(where, e));
  await readNpyHeader(reader, where);
  const rowBytes = 3 * f.side * f.side;
  const block = 512;
  const hwc = new Uint8Array(block * rowBytes);
  const n = f.labels.length;
  for (let start = 0; start < n; start += block) {
    const k = Math.min(block, n - start);
    for (let i = 0; i < k; i++) {
      const row = await reader.exactly(rowBytes);
      if (row === null || row.length < rowBytes) throw malformed(where, `truncated: image ${start + i} of ${n} is incomplete`);
      planarToHwc(row, 0, native, hwc, i * rowBytes);
    }
    const labels = Array.from(f.labels.subarray(start, start + k), (l) => l - 1);
    if (writer) {
      await writeImages(ctx, writer, hwc.subarray(0, k * rowBytes), labels, native);
    } else {
      for (let i = 0; i < k; i++) pool!.put(slot + i, await resizeIfAsked(ctx, hwc.subarray(i * rowBytes, (i + 1) * rowBytes), native), labels[i], null);
      ctx.progress.advance(k);
    }
    slot += k;
  }
  // Read to the end of the entry so its CRC and size are checked.
  const extra = await reader.exactly(1);
  if (extra !== null && extra.length > 0) throw malformed(where, `more bytes than its shape (${f.data.shape.join(', ')}) holds`);
  return slot;
}

// Mini-batches for training and evaluation: seeded shuffles, random crop with zero padding,
// optional horizontal flip, and normalisation by the set's mean/std through a lookup table.
// A training batch is a pure function of (seed, epoch, index), so resumed runs see the same data;
// the trainer's prefetch hint lets a worker thread build the next batch during the current step.
import { Rng } from '../engine/rng';
import type { Batch, EvalBatches, ImageShape, TrainBatches } from '../engine/train/batch-source';
import { BatchWorker, type Augment, type SamplerMeta } from './background-batches';
import type { ImageSetMeta, ImageSplit } from './image-set';

export type { Augment } from './background-batches';

export interface SamplerOptions {
  /** Build prefetched batches on a worker thread (default true; needs a split that can be shared). */
  background?: boolean;
}

/** lut[c·256 + v] = (v/255 − mean_c) / std_c */
export function normalisationTable(meta: Pick<ImageSetMeta, 'channels' | 'mean' | 'std'>): Float32Array {
  const lut = new Float32Array(meta.channels * 256);
  for (let c = 0; c < meta.channels; c++) {
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = (v / 255 - meta.mean[c]) / meta.std[c];
  }
  return lut;
}

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x85ebca6b, 0xc2b2ae35) ^ b;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Write image `src` into `out` at `offset`, cropped at (dy, dx) from a zero-padded copy. */
export function writeAugmented(
  src: Uint8Array, out: Float32Array, offset: number, shape: ImageShape, lut: Float32Array,
  pad: number, dy: number, dx: number, flip: boolean,
): void {
  const { height: H, width: W, channels: C } = shape;
  for (let y = 0; y < H; y++) {
    const sy = y + dy - pad;
    const rowOut = offset + y * W * C;
    if (sy < 0 || sy >= H) {
      for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) out[rowOut + x * C + c] = lut[c * 256];
      continue;
    }
    const rowIn = sy * W * C;
    for (let x = 0; x < W; x++) {
      const ox = flip ? W - 1 - x : x;
      const sx = x + dx - pad;
      const o = rowOut + ox * C;
      if (sx < 0 || sx >= W) {
        for (let c = 0; c < C; c++) out[o + c] = lut[c * 256];
      } else {
        const i = rowIn + sx * C;
        for (let c = 0; c < C; c++) out[o + c] = lut[c * 256 + src[i + c]];
      }
    }
  }
}

export class TrainSampler implements TrainBatches {
  readonly shape: ImageShape;
  readonly classes: number;
  readonly batchSize: number;
  readonly batchesPerEpoch: number;
  private readonly lut: Float32Array;
  private perm: { epoch: number; order: Uint32Array } | null = null;
  private readonly meta: SamplerMeta;
  private worker: BatchWorker | null = null;
  private backgroundOff: boolean;
  private readonly pending = new Map<string, Promise<Batch>>();
  /** Batches that came from the worker thread (diagnostics and tests). */
  servedInBackground = 0;

  constructor(
    meta: SamplerMeta,
    private readonly split: ImageSplit,
    batchSize: number,
    private readonly seed: number,
    readonly augment: Augment,
    options: SamplerOptions = {},
  ) {
    this.meta = { height: meta.height, width: meta.width, channels: meta.channels, classes: meta.classes, mean: [...meta.mean], std: [...meta.std] };
    this.backgroundOff = options.background === false || !split.source;
    this.shape = { height: meta.height, width: meta.width, channels: meta.channels };
    this.classes = meta.classes;
    this.batchSize = Math.min(batchSize, split.count);
    // Drop the last partial batch: every step sees the same batch size (BN statistics, timing).
    this.batchesPerEpoch = Math.floor(split.count / this.batchSize);
    this.lut = normalisationTable(meta);
  }

  private order(epoch: number): Uint32Array {
    if (this.perm?.epoch !== epoch) this.perm = { epoch, order: new Rng(mix(this.seed, epoch)).permutation(this.split.count) };
    return this.perm.order;
  }

  batchSync(epoch: number, index: number): Batch {
    const { height: H, width: W, channels: C } = this.shape;
    const n = this.batchSize;
    const per = H * W * C;
    const x = new Float32Array(n * per);
    const labels = new Int32Array(n);
    const order = this.order(epoch);
    const rng = new Rng(mix(mix(this.seed, epoch), index + 1));
    const pad = this.augment.crop;
    for (let b = 0; b < n; b++) {
      const i = order[index * n + b];
      labels[b] = this.split.labels[i];
      const dy = pad > 0 ? rng.int(2 * pad + 1) : 0;
      const dx = pad > 0 ? rng.int(2 * pad + 1) : 0;
      const flip = this.augment.flip && rng.next() < 0.5;
      writeAugmented(this.split.image(i), x, b * per, this.shape, this.lut, pad, dy, dx, flip);
    }
    return { x, labels, size: n };
  }

  /** Start building (epoch, index) on the worker thread; batch() picks it up. */
  prefetch(epoch: number, index: number): void {
    if (this.backgroundOff || index < 0 || index >= this.batchesPerEpoch) return;
    const key = `${epoch}:${index}`;
    if (this.pending.has(key)) return;
    if (!this.worker || this.worker.closed) {
      this.worker = BatchWorker.start({ meta: this.meta, source: this.split.source!(), batchSize: this.batchSize, seed: this.seed, augment: { ...this.augment } });
      if (!this.worker) {
        this.backgroundOff = true;
        return;
      }
    }
    if (this.pending.size >= 4) this.pending.delete(this.pending.keys().next().value!);
    const p = this.worker.request(epoch, index);
    p.catch(() => {}); // a failed prefetch is rebuilt in place by batch()
    this.pending.set(key, p);
  }

  async batch(epoch: number, index: number): Promise<Batch> {
    const key = `${epoch}:${index}`;
    const p = this.pending.get(key);
    if (p) {
      this.pending.delete(key);
      try {
        const b = await p;
        this.servedInBackground += 1;
        return b;
      } catch {
        // The worker died: build batches here from now on (same function, same batches).
        this.backgroundOff = true;
      }
    }
    return this.batchSync(epoch, index);
  }

  /** Stop the worker thread (it also stops by itself after 10 s without requests). */
  async close(): Promise<void> {
    this.pending.clear();
    const w = this.worker;
    this.worker = null;
    await w?.close();
  }
}

export class EvalSampler implements EvalBatches {
  readonly shape: ImageShape;
  readonly classes: number;
  readonly count: number;
  private readonly lut: Float32Array;

  constructor(meta: ImageSetMeta, private readonly split: ImageSplit) {
    this.shape = { height: meta.height, width: meta.width, channels: meta.channels };
    this.classes = meta.classes;
    this.count = split.count;
    this.lut = normalisationTable(meta);
  }

  async *batches(batchSize: number): AsyncIterable<Batch> {
    const per = this.shape.height * this.shape.width * this.shape.channels;
    for (let start = 0; start < this.count; start += batchSize) {
      const n = Math.min(batchSize, this.count - start);
      const x = new Float32Array(n * per);
      const labels = new Int32Array(n);
      for (let b = 0; b < n; b++) {
        labels[b] = this.split.labels[start + b];
        writeAugmented(this.split.image(start + b), x, b * per, this.shape, this.lut, 0, 0, 0, false);
      }
      yield { x, labels, size: n };
    }
  }
}

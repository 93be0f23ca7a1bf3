// Writes one split of a library entry: images appended to a contiguous uint8 NHWC file (through
// a 4 MiB buffer), hashed and summed per channel on the way, labels kept and written at the end.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { createHash, type Hash } from 'node:crypto';
import { join } from 'node:path';
import { BugError } from '../../contract/errors';
import { labelBytes, labelFile, pixelFile, sha256Hex, type SplitName, type SplitRecord } from './record';

const BUFFER = 4 << 20;

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

export class SplitWriter {
  readonly imageBytes: number;
  /** Per-channel sums of pixel values and of their squares (for the mean and std). */
  readonly sum: Float64Array;
  readonly sq: Float64Array;
  private fd: number | null;
  private readonly buf: Buffer;
  private used = 0;
  private readonly hash: Hash = createHash('sha256');
  private labels = new Uint16Array(1024);
  private n = 0;

  constructor(
    private readonly dir: string,
    readonly split: SplitName,
    readonly shape: ImageShape,
    readonly labelled = true,
  ) {
    this.imageBytes = shape.height * shape.width * shape.channels;
    this.sum = new Float64Array(shape.channels);
    this.sq = new Float64Array(shape.channels);
    this.fd = openSync(join(dir, pixelFile(split)), 'w');
    this.buf = Buffer.allocUnsafe(Math.max(BUFFER - (BUFFER % this.imageBytes), this.imageBytes));
  }

  get count(): number {
    return this.n;
  }

  /** Append k whole images (k·imageBytes bytes) with their k labels (null for the unlabeled split). */
  add(pixels: Uint8Array, labels: ArrayLike<number> | null): void {
    const k = pixels.length / this.imageBytes;
    if (!Number.isInteger(k)) throw new BugError(`${this.split}: ${pixels.length} bytes is not a whole number of ${this.imageBytes}-byte images`);
    if (this.labelled) {
      if (!labels || labels.length !== k) throw new BugError(`${this.split}: ${labels?.length ?? 0} labels for ${k} images`);
      if (this.n + k > this.labels.length) {
        const grown = new Uint16Array(Math.max(this.labels.length * 2, this.n + k));
        grown.set(this.labels.subarray(0, this.n));
        this.labels = grown;
      }
      for (let i = 0; i < k; i++) this.labels[this.n + i] = labels[i];
    }
    this.accumulate(pixels);
    for (let at = 0; at < pixels.length; ) {
      const take = Math.min(pixels.length - at, this.buf.length - this.used);
      this.buf.set(pixels.subarray(at, at + take), this.used);
      this.used += take;
      at += take;
      if (this.used === this.buf.length) this.flush();
    }
    this.n += k;
  }

  private accumulate(pixels: Uint8Array): void {
    const C = this.shape.channels;
    if (C === 1) {
      let s = 0;
      let q = 0;
      for (let j = 0; j < pixels.length; j++) {
        const v = pixels[j];
        s += v;
        q += v * v;
      }
      this.sum[0] += s;
      this.sq[0] += q;
      return;
    }
    for (let c = 0; c < C; c++) {
      let s = 0;
      let q = 0;
      for (let j = c; j < pixels.length; j += C) {
        const v = pixels[j];
        s += v;
        q += v * v;
      }
      this.sum[c] += s;
      this.sq[c] += q;
    }
  }

  private flush(): void {
    if (this.used === 0 || this.fd === null) return;
    const chunk = this.buf.subarray(0, this.used);
    this.hash.update(chunk);
    let off = 0;
    while (off < chunk.length) off += writeSync(this.fd, chunk, off, chunk.length - off);
    this.used = 0;
  }

  /** Flush, fsync and close the pixel file; write the labels; describe the split. */
  finish(classes: number): SplitRecord & { labels: Uint16Array | null } {
    if (this.fd === null) throw new BugError(`${this.split}: finished twice`);
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
    const labels = this.labelled ? this.labels.slice(0, this.n) : null;
    const perClass: number[] = labels ? new Array(classes).fill(0) : [];
    let labelsSha256: string | null = null;
    if (labels) {
      for (const l of labels) {
        if (l >= classes) throw new BugError(`${this.split}: label ${l} ≥ ${classes} classes got past the importer's check`);
        perClass[l] += 1;
      }
      const bytes = labelBytes(labels);
      const fd = openSync(join(this.dir, labelFile(this.split)), 'w');
      try {
        writeSync(fd, bytes);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      labelsSha256 = sha256Hex(bytes);
    }
    return { count: this.n, perClass, bytes: this.n * this.imageBytes, sha256: this.hash.digest('hex'), labelsSha256, labels };
  }

  /** Close without finishing (the import failed; its folder is about to be removed). */
  abort(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Mean and population std per channel, in [0, 1] units, from a writer's sums. */
export function statsFromSums(w: SplitWriter): { mean: number[]; std: number[] } {
  const n = w.count * w.shape.height * w.shape.width;
  const mean = Array.from(w.sum, (s) => (n ? s / n / 255 : 0));
  const std = Array.from(w.sq, (q, c) => Math.sqrt(Math.max(n ? q / n / 65025 - mean[c] * mean[c] : 0, 1e-12)));
  return { mean, std };
}

// An image-classification data set as the trainers read it: uint8 pixels (NHWC) and labels,
// per split, with the per-channel statistics used to normalise.

export interface ImageSplit {
  readonly count: number;
  readonly labels: Uint16Array;
  /** Pixels of image i, H·W·C bytes. The view may be reused by the next call. */
  image(i: number): Uint8Array;
  /** How another thread can reach the same images (background batch preparation); absent if it cannot. */
  source?(): SplitSource;
}

/** A split as a worker thread opens it: shared memory, or the library file it is read from. */
export type SplitSource =
  | { kind: 'shared'; pixels: SharedArrayBuffer; byteOffset: number; imageBytes: number; count: number; labels: Uint16Array }
  | { kind: 'file'; path: string; imageBytes: number; count: number; labels: Uint16Array };

/** A zeroed byte array in memory that worker threads can share without copying. */
export function sharedBytes(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(n));
}

export interface ImageSetMeta {
  name: string;
  height: number;
  width: number;
  channels: number;
  classes: number;
  classNames: string[];
  /** Per channel, in [0, 1] units. */
  mean: number[];
  std: number[];
  /** Horizontal flips change the meaning of digits and text; they stay off for such sets. */
  flipSafe: boolean;
  sha256: string | null;
}

export interface ImageSet extends ImageSetMeta {
  train: ImageSplit;
  test: ImageSplit;
}

export class MemorySplit implements ImageSplit {
  readonly count: number;
  private readonly stride: number;

  constructor(
    readonly pixels: Uint8Array,
    readonly labels: Uint16Array,
    imageBytes: number,
  ) {
    this.count = labels.length;
    this.stride = imageBytes;
  }

  image(i: number): Uint8Array {
    return this.pixels.subarray(i * this.stride, (i + 1) * this.stride);
  }

  private shared: Uint8Array | null = null;

  source(): SplitSource {
    // Pixels already in shared memory cost nothing to share; others are copied there once.
    if (!this.shared) {
      if (this.pixels.buffer instanceof SharedArrayBuffer) this.shared = this.pixels;
      else (this.shared = sharedBytes(this.pixels.length)).set(this.pixels);
    }
    return { kind: 'shared', pixels: this.shared.buffer as SharedArrayBuffer, byteOffset: this.shared.byteOffset, imageBytes: this.stride, count: this.count, labels: this.labels };
  }
}

/** The first n images of a split (the CLI's --limit-train / --limit-test). */
export function limitSplit(split: ImageSplit, n: number | undefined): ImageSplit {
  if (n === undefined || n >= split.count) return split;
  const labels = split.labels.subarray(0, n);
  const limited: ImageSplit = { count: n, labels, image: (i: number) => split.image(i) };
  if (split.source) limited.source = () => ({ ...split.source!(), count: n, labels });
  return limited;
}

/** Per-channel mean and std (population) over a split, in [0, 1] units. */
export function channelStats(split: ImageSplit, channels: number): { mean: number[]; std: number[] } {
  const sum = new Float64Array(channels);
  const sq = new Float64Array(channels);
  let n = 0;
  for (let i = 0; i < split.count; i++) {
    const img = split.image(i);
    for (let j = 0; j < img.length; j++) {
      const v = img[j];
      const c = j % channels;
      sum[c] += v;
      sq[c] += v * v;
    }
    n += img.length / channels;
  }
  const mean = Array.from(sum, (s) => s / n / 255);
  const std = Array.from(sq, (s, c) => Math.sqrt(Math.max(s / n / 65025 - mean[c] * mean[c], 1e-12)));
  return { mean, std };
}

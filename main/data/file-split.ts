// A split read from its library file instead of memory: image i is one positional read of
// H·W·C bytes (the OS page cache does the caching); a run of consecutive reads (evaluation)
// switches to reading blocks of images. Memory stays at the labels plus one block.
import { closeSync, openSync, readSync } from 'node:fs';
import { EffconvError } from '../contract/errors';
import type { ImageSplit, SplitSource } from './image-set';

const closer = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
});

export class FileSplit implements ImageSplit {
  private fd: number | null = null;
  private readonly single: Uint8Array;
  private readonly block: Uint8Array;
  private blockStart = -1;
  private blockCount = 0;
  private last = -1;

  constructor(
    readonly path: string,
    readonly count: number,
    readonly imageBytes: number,
    readonly labels: Uint16Array,
    private readonly blockImages = 256,
  ) {
    this.single = new Uint8Array(imageBytes);
    this.block = new Uint8Array(imageBytes * blockImages);
  }

  private read(into: Uint8Array, first: number, n: number): void {
    if (this.fd === null) {
      this.fd = openSync(this.path, 'r');
      closer.register(this, this.fd, this);
    }
    const want = n * this.imageBytes;
    let got = 0;
    while (got < want) {
      const r = readSync(this.fd, into, got, want - got, first * this.imageBytes + got);
      if (r === 0) throw new EffconvError('DATASET_MALFORMED', `${this.path}: ends before image ${first + Math.floor(got / this.imageBytes)} (the library file is damaged)`, this.path);
      got += r;
    }
  }

  image(i: number): Uint8Array {
    if (i < 0 || i >= this.count) throw new RangeError(`image ${i} of ${this.count}`);
    const sequential = i === this.last + 1;
    this.last = i;
    if (i >= this.blockStart && i < this.blockStart + this.blockCount) {
      const o = (i - this.blockStart) * this.imageBytes;
      return this.block.subarray(o, o + this.imageBytes);
    }
    if (sequential) {
      this.blockCount = Math.min(this.blockImages, this.count - i);
      this.blockStart = i;
      this.read(this.block, i, this.blockCount);
      return this.block.subarray(0, this.imageBytes);
    }
    this.read(this.single, i, 1);
    return this.single;
  }

  source(): SplitSource {
    return { kind: 'file', path: this.path, imageBytes: this.imageBytes, count: this.count, labels: this.labels };
  }

  close(): void {
    if (this.fd !== null) {
      closer.unregister(this);
      closeSync(this.fd);
    }
    this.fd = null;
  }
}

// Images decoded in any order (in parallel, from an archive) land in numbered slots of a pool
// file; at the end they are dealt into the train and test splits: the source's own split when
// it has one, else a stratified held-out fraction per class. Each split is stored in a seeded
// shuffled order, so the first N images (--limit-train N) are a mix of classes, not one class.
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../engine/rng';
import type { ImportProgress } from './progress';
import type { ImageShape, SplitWriter } from './split-writer';

export type PoolSplit = 'train' | 'test' | null;

export class Pool {
  readonly imageBytes: number;
  private fd: number | null;
  private readonly path: string;
  private readonly labels: Int32Array;
  private readonly splitOf: Uint8Array;

  constructor(dir: string, readonly shape: ImageShape, readonly capacity: number) {
    this.imageBytes = shape.height * shape.width * shape.channels;
    this.path = join(dir, 'pool.u8');
    this.fd = openSync(this.path, 'w+');
    this.labels = new Int32Array(capacity).fill(-1);
    this.splitOf = new Uint8Array(capacity);
  }

  /** Store one image in its slot (slots are the scan order, so the result does not depend on timing). */
  put(slot: number, pixels: Uint8Array, label: number, split: PoolSplit): void {
    let off = 0;
    while (off < pixels.length) off += writeSync(this.fd!, pixels, off, pixels.length - off, slot * this.imageBytes + off);
    this.labels[slot] = label;
    this.splitOf[slot] = split === 'train' ? 1 : split === 'test' ? 2 : 3;
  }

  /** Images stored per class, over all splits. */
  countsPerClass(classes: number): number[] {
    const counts = new Array(classes).fill(0);
    for (const l of this.labels) if (l >= 0) counts[l] += 1;
    return counts;
  }

  /** Which slots go to train and which to test. */
  assign(testFraction: number, seed: number, classes: number): { train: number[]; test: number[] } {
    const train: number[] = [];
    const test: number[] = [];
    const heldOut: number[][] = Array.from({ length: classes }, () => []);
    for (let s = 0; s < this.capacity; s++) {
      if (this.labels[s] < 0) continue;
      if (this.splitOf[s] === 1) train.push(s);
      else if (this.splitOf[s] === 2) test.push(s);
      else heldOut[this.labels[s]].push(s);
    }
    heldOut.forEach((slots, c) => {
      if (slots.length === 0) return;
      const order = new Rng((seed * 1000003 + c * 7919 + 1) >>> 0).permutation(slots.length);
      // At least one test image per class when the class has two or more, never all of them.
      const want = Math.round(testFraction * slots.length);
      const nTest = testFraction > 0 ? Math.min(slots.length - 1, Math.max(1, want)) : 0;
      order.forEach((k, rank) => (rank < nTest ? test : train).push(slots[k]));
    });
    return { train, test };
  }

  /** Copy the assigned slots into the split writers, each split in a seeded shuffled order. */
  deal(assignment: { train: number[]; test: number[] }, writers: { train: SplitWriter; test: SplitWriter }, seed: number, progress: ImportProgress): void {
    const img = new Uint8Array(this.imageBytes);
    progress.start('write', assignment.train.length + assignment.test.length);
    for (const split of ['train', 'test'] as const) {
      const slots = assignment[split].sort((a, b) => a - b);
      const order = new Rng((seed ^ (split === 'train' ? 0x5eed : 0x7e57)) >>> 0).permutation(slots.length);
      const label = [0];
      for (const k of order) {
        const s = slots[k];
        readSync(this.fd!, img, 0, this.imageBytes, s * this.imageBytes);
        label[0] = this.labels[s];
        writers[split].add(img, label);
        progress.advance();
      }
    }
  }

  dispose(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.path, { force: true });
  }
}

// CIFAR-10/100 binary records: [label bytes][1024 R][1024 G][1024 B], 32×32 row-major planes.
// CIFAR-10 has one label byte (0…9); CIFAR-100 two (coarse 0…19, fine 0…99).
import { basename } from 'node:path';
import { EffconvError } from '../../contract/errors';

export const CIFAR_PIXELS = 32 * 32 * 3;

export interface CifarRecords {
  count: number;
  /** NHWC uint8. */
  pixels: Uint8Array;
  labels: Uint16Array;
  coarse?: Uint16Array;
}

/** labelBytes 1 (CIFAR-10) or 2 (CIFAR-100, coarse then fine; `labels` gets the fine label). */
export function parseCifarRecords(buf: Uint8Array, file: string, labelBytes: 1 | 2, classes: number): CifarRecords {
  const rec = labelBytes + CIFAR_PIXELS;
  if (buf.length === 0 || buf.length % rec !== 0) {
    throw new EffconvError('DATASET_MALFORMED', `${basename(file)}: ${buf.length} bytes is not a whole number of ${rec}-byte CIFAR records (truncated or not CIFAR binary)`, file);
  }
  const count = buf.length / rec;
  const pixels = new Uint8Array(count * CIFAR_PIXELS);
  const labels = new Uint16Array(count);
  const coarse = labelBytes === 2 ? new Uint16Array(count) : undefined;
  for (let i = 0; i < count; i++) {
    const base = i * rec;
    const label = buf[base + labelBytes - 1];
    if (label >= classes) {
      throw new EffconvError('DATASET_MALFORMED', `${basename(file)}: record ${i} has label ${label}, out of range 0…${classes - 1}`, file);
    }
    labels[i] = label;
    if (coarse) coarse[i] = buf[base];
    const src = base + labelBytes;
    const dst = i * CIFAR_PIXELS;
    for (let p = 0; p < 1024; p++) {
      pixels[dst + p * 3] = buf[src + p];
      pixels[dst + p * 3 + 1] = buf[src + 1024 + p];
      pixels[dst + p * 3 + 2] = buf[src + 2048 + p];
    }
  }
  return { count, pixels, labels, coarse };
}

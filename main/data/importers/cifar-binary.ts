// CIFAR-10/100 binary records: [label bytes][1024 R][1024 G][1024 B], 32×32 row-major planes.
// CIFAR-10 has one label byte (0…9); CIFAR-100 two (coarse 0…19, fine 0…99).
import { malformed } from '../malformed';
import { planarToHwc } from './planar';

export const CIFAR_PIXELS = 32 * 32 * 3;
const SHAPE = { height: 32, width: 32, channels: 3 };

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
    throw malformed(file, `${buf.length} bytes is not a whole number of ${rec}-byte CIFAR records (truncated or not CIFAR binary)`);
  }
  const count = buf.length / rec;
  const pixels = new Uint8Array(count * CIFAR_PIXELS);
  const labels = new Uint16Array(count);
  const coarse = labelBytes === 2 ? new Uint16Array(count) : undefined;
  for (let i = 0; i < count; i++) {
    const base = i * rec;
    const label = buf[base + labelBytes - 1];
    if (label >= classes) {
      throw malformed(file, `record ${i} has label ${label}, out of range 0…${classes - 1}`);
    }
    labels[i] = label;
    if (coarse) coarse[i] = buf[base];
    planarToHwc(buf, base + labelBytes, SHAPE, pixels, i * CIFAR_PIXELS);
  }
  return { count, pixels, labels, coarse };
}

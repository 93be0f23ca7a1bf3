// The metadata record of a library entry (meta.json beside its split files), and the one
// checksum definition shared by the library and by sets opened straight from a path.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EffconvError } from '../../contract/errors';

export const SOURCE_FORMATS = ['idx', 'cifar10', 'cifar100', 'stl10', 'imagenet32', 'image-folder'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];
export type SplitName = 'train' | 'test' | 'unlabeled';
export type ResizeFit = 'cover' | 'contain' | 'fill';

export interface SplitRecord {
  count: number;
  /** Images per class (empty for the unlabeled split). */
  perClass: number[];
  /** Size of the pixel file, count × height × width × channels. */
  bytes: number;
  sha256: string;
  labelsSha256: string | null;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface DatasetRecord {
  format: 'effconv.dataset';
  version: 1;
  name: string;
  sourceFormat: SourceFormat;
  /** Absolute path of what was imported. */
  source: string;
  createdAt: string;
  height: number;
  width: number;
  channels: number;
  classes: number;
  classNames: string[];
  /** CIFAR-100's 20 superclasses, when the fine labels are the classes. */
  coarseClassNames?: string[];
  splits: { train: SplitRecord; test: SplitRecord; unlabeled?: SplitRecord };
  /** Per channel over the training split, in [0, 1] units. */
  mean: number[];
  std: number[];
  flipSafe: boolean;
  /** sha256 over the shape and the split files' own sha256s (datasetChecksum). */
  sha256: string;
  skipped: number;
  /** The first few skipped files with the reason. */
  skippedExamples: SkippedFile[];
  import: {
    size: number | null;
    fit: ResizeFit;
    testFraction: number | null;
    seed: number;
    labels?: 'fine' | 'coarse';
  };
  notes: string[];
}

export const META_FILE = 'meta.json';
export const pixelFile = (split: SplitName): string => `${split}.u8`;
export const labelFile = (split: SplitName): string => `${split}.labels`;

export function sha256Hex(...parts: Uint8Array[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** Labels as stored: uint16 little-endian. */
export function labelBytes(labels: Uint16Array): Uint8Array {
  const out = Buffer.alloc(labels.length * 2);
  for (let i = 0; i < labels.length; i++) out.writeUInt16LE(labels[i], i * 2);
  return out;
}

/**
 * The identity of a data set: the same pixels, labels and shape give the same value whether
 * the set was imported or opened from its files, in whatever container it came.
 */
export function datasetChecksum(shape: { height: number; width: number; channels: number }, splits: { name: SplitName; pixels: string; labels: string | null }[]): string {
  const lines = [`effconv.dataset v1 ${shape.height}x${shape.width}x${shape.channels}`];
  for (const s of splits) lines.push(`${pixelFile(s.name)} ${s.pixels}`, `${labelFile(s.name)} ${s.labels ?? '-'}`);
  return sha256Hex(Buffer.from(lines.join('\n') + '\n'));
}

export function checksumOfRecord(r: Pick<DatasetRecord, 'height' | 'width' | 'channels' | 'splits'>): string {
  const parts: { name: SplitName; pixels: string; labels: string | null }[] = [
    { name: 'train', pixels: r.splits.train.sha256, labels: r.splits.train.labelsSha256 },
    { name: 'test', pixels: r.splits.test.sha256, labels: r.splits.test.labelsSha256 },
  ];
  if (r.splits.unlabeled) parts.push({ name: 'unlabeled', pixels: r.splits.unlabeled.sha256, labels: null });
  return datasetChecksum(r, parts);
}

function bad(dir: string, reason: string): EffconvError {
  return new EffconvError('DATASET_MALFORMED', `library entry ${dir}: ${reason}`, join(dir, META_FILE));
}

export function readRecord(dir: string): DatasetRecord {
  let r: DatasetRecord;
  try {
    r = JSON.parse(readFileSync(join(dir, META_FILE), 'utf8')) as DatasetRecord;
  } catch (e) {
    throw bad(dir, `${META_FILE} is unreadable (${(e as Error).message})`);
  }
  if (r?.format !== 'effconv.dataset' || r.version !== 1) throw bad(dir, `${META_FILE} is not an effconv.dataset v1 record`);
  const positive = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  if (!positive(r.height) || !positive(r.width) || !positive(r.channels) || !positive(r.classes)) throw bad(dir, 'bad shape or class count');
  if (!Array.isArray(r.classNames) || r.classNames.length !== r.classes) throw bad(dir, 'classNames does not match classes');
  if (!r.splits?.train || !r.splits?.test) throw bad(dir, 'missing train or test split');
  if (!Array.isArray(r.mean) || r.mean.length !== r.channels || !Array.isArray(r.std) || r.std.length !== r.channels) throw bad(dir, 'mean/std do not match the channels');
  return r;
}

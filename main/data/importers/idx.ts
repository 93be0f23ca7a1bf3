// MNIST / Fashion-MNIST idx files (LeCun's format), gzipped or not.
//   images: magic 0x00000803 (2051), count, rows, cols, then count·rows·cols bytes
//   labels: magic 0x00000801 (2049), count, then count bytes
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { withSystemErrors } from '../../common/system-errors';
import { malformed } from '../malformed';
import { gunzipIfGzip } from '../sources/gzip';
import { pickIdxFiles, type IdxPick } from './idx-names';

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
}

export function readMaybeGzip(file: string): Buffer {
  return gunzipIfGzip(withSystemErrors({ action: 'read', path: file, role: 'source' }, () => readFileSync(file)), file);
}

export function parseIdxImages(buf: Buffer, file: string): IdxImages {
  if (buf.length < 16) throw malformed(file, `file is ${buf.length} bytes, too short for an idx3 header (16 bytes)`);
  const magic = buf.readUInt32BE(0);
  if (magic !== 2051) throw malformed(file, `magic number ${magic}, expected 2051 (idx3 images)${magic === 2049 ? ': this is a label file' : ''}`);
  const count = buf.readUInt32BE(4);
  const rows = buf.readUInt32BE(8);
  const cols = buf.readUInt32BE(12);
  if (rows === 0 || cols === 0) throw malformed(file, `the header says images of ${rows}×${cols}: they must be at least 1×1`);
  const need = 16 + count * rows * cols;
  if (buf.length < need) {
    const have = Math.floor((buf.length - 16) / (rows * cols || 1));
    throw malformed(file, `truncated: header says ${count} images of ${rows}×${cols} (${need} bytes) but the file has ${buf.length} bytes (${have} whole images)`);
  }
  return { count, rows, cols, pixels: new Uint8Array(buf.buffer, buf.byteOffset + 16, count * rows * cols) };
}

export function parseIdxLabels(buf: Buffer, file: string): Uint8Array {
  if (buf.length < 8) throw malformed(file, `file is ${buf.length} bytes, too short for an idx1 header (8 bytes)`);
  const magic = buf.readUInt32BE(0);
  if (magic !== 2049) throw malformed(file, `magic number ${magic}, expected 2049 (idx1 labels)${magic === 2051 ? ': this is an image file' : ''}`);
  const count = buf.readUInt32BE(4);
  if (buf.length < 8 + count) throw malformed(file, `truncated: header says ${count} labels but the file has ${buf.length - 8}`);
  return new Uint8Array(buf.buffer, buf.byteOffset + 8, count);
}

export interface IdxSplitFiles {
  images: string;
  labels: string;
}

/** The idx files in a folder (see idx-names.ts); null when it is not a folder. */
export function pickIdxFolder(dir: string): IdxPick | null {
  return withSystemErrors({ action: 'read', path: dir, role: 'source' }, () => {
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return null;
    return pickIdxFiles(readdirSync(dir).filter((n) => statSync(join(dir, n), { throwIfNoEntry: false })?.isFile()));
  });
}

/** The four files of an idx folder, or null unless all four are there. */
export function findIdxFiles(dir: string): { train: IdxSplitFiles; test: IdxSplitFiles } | null {
  const pick = pickIdxFolder(dir);
  if (!pick || pick.missing.length > 0) return null;
  const f = (n: string | undefined) => join(dir, n!);
  return { train: { images: f(pick.found.trainImages), labels: f(pick.found.trainLabels) }, test: { images: f(pick.found.testImages), labels: f(pick.found.testLabels) } };
}

export interface IdxSplit {
  images: IdxImages;
  labels: Uint8Array;
}

export function readIdxSplit(files: IdxSplitFiles): IdxSplit {
  const images = parseIdxImages(readMaybeGzip(files.images), files.images);
  const labels = parseIdxLabels(readMaybeGzip(files.labels), files.labels);
  if (images.count !== labels.length) {
    throw malformed(files.labels, `${labels.length} labels for ${images.count} images in ${basename(files.images)}`);
  }
  return { images, labels };
}

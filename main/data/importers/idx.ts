// MNIST / Fashion-MNIST idx files (LeCun's format), gzipped or not.
//   images: magic 0x00000803 (2051), count, rows, cols, then count·rows·cols bytes
//   labels: magic 0x00000801 (2049), count, then count bytes
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { EffconvError } from '../../contract/errors';

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
}

function malformed(file: string, reason: string): EffconvError {
  return new EffconvError('DATASET_MALFORMED', `${basename(file)}: ${reason}`, `${file}: ${reason}`);
}

export function readMaybeGzip(file: string): Buffer {
  const raw = readFileSync(file);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return gunzipSync(raw);
    } catch (e) {
      throw malformed(file, `gzip data is corrupt or truncated (${(e as Error).message})`);
    }
  }
  return raw;
}

export function parseIdxImages(buf: Buffer, file: string): IdxImages {
  if (buf.length < 16) throw malformed(file, `file is ${buf.length} bytes, too short for an idx3 header (16 bytes)`);
  const magic = buf.readUInt32BE(0);
  if (magic !== 2051) throw malformed(file, `magic number ${magic}, expected 2051 (idx3 images)${magic === 2049 ? ': this is a label file' : ''}`);
  const count = buf.readUInt32BE(4);
  const rows = buf.readUInt32BE(8);
  const cols = buf.readUInt32BE(12);
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

/** train-images-idx3-ubyte[.gz] etc., accepting the t10k and the dotted (train-images.idx3-ubyte) spellings. */
export function findIdxFiles(dir: string): { train: IdxSplitFiles; test: IdxSplitFiles } | null {
  const pick = (stems: string[]): string | null => {
    for (const s of stems) for (const ext of ['', '.gz']) if (existsSync(join(dir, s + ext))) return join(dir, s + ext);
    return null;
  };
  const trainImages = pick(['train-images-idx3-ubyte', 'train-images.idx3-ubyte']);
  const trainLabels = pick(['train-labels-idx1-ubyte', 'train-labels.idx1-ubyte']);
  const testImages = pick(['t10k-images-idx3-ubyte', 't10k-images.idx3-ubyte', 'test-images-idx3-ubyte']);
  const testLabels = pick(['t10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte', 'test-labels-idx1-ubyte']);
  if (!trainImages || !trainLabels || !testImages || !testLabels) return null;
  return { train: { images: trainImages, labels: trainLabels }, test: { images: testImages, labels: testLabels } };
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

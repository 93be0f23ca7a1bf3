// A few images per class as small PNGs, for the UI's sample grid: the first images of each
// class in the stored order (publishers' order, or the seeded shuffle of an image folder).
import sharp from 'sharp';
import { EffconvError } from '../../contract/errors';
import { runLimited } from '../sources/tree';
import { FileSplit } from '../file-split';
import { openLibraryDataset } from './open';

export interface SampleOptions {
  /** Images per class (default 8, at most 64). */
  perClass?: number;
  split?: 'train' | 'test';
  /** Integer upscaling with nearest-neighbour pixels (default 1: the stored size). */
  scale?: number;
  /** 'png': bytes; 'data-url': also a data: URL ready for an <img> (default 'png'). */
  encoding?: 'png' | 'data-url';
}

export interface SampleImage {
  /** Index of the image in its split. */
  index: number;
  png: Uint8Array;
  dataUrl?: string;
}

export interface ClassSamples {
  index: number;
  name: string;
  /** Images of this class in the split. */
  count: number;
  images: SampleImage[];
}

export interface DatasetSamples {
  name: string;
  split: 'train' | 'test';
  height: number;
  width: number;
  channels: number;
  classes: ClassSamples[];
}

export async function datasetSamples(name: string, opts: SampleOptions = {}): Promise<DatasetSamples> {
  const perClass = opts.perClass ?? 8;
  const scale = opts.scale ?? 1;
  if (!Number.isInteger(perClass) || perClass < 1 || perClass > 64) throw new EffconvError('INVALID_ARGUMENT', `perClass must be an integer 1…64, got ${perClass}`, 'perClass');
  if (!Number.isInteger(scale) || scale < 1 || scale > 16) throw new EffconvError('INVALID_ARGUMENT', `scale must be an integer 1…16, got ${scale}`, 'scale');
  const splitName = opts.split ?? 'train';
  const set = openLibraryDataset(name, { inMemoryBytes: 0 }); // a few reads, not the whole file
  const split = set[splitName];
  try {
    const picked: number[][] = Array.from({ length: set.classes }, () => []);
    const counts = new Array(set.classes).fill(0);
    for (let i = 0; i < split.count; i++) {
      const l = split.labels[i];
      counts[l] += 1;
      if (picked[l].length < perClass) picked[l].push(i);
    }
    const jobs = picked.flatMap((indices, c) => indices.map((index) => ({ c, index, pixels: split.image(index).slice() })));
    const out: ClassSamples[] = picked.map((_, c) => ({ index: c, name: set.classNames[c], count: counts[c], images: [] }));
    const { width, height, channels } = set;
    const encoded = new Map<number, Uint8Array>();
    await runLimited(jobs, 8, async (j) => {
      let img = sharp(j.pixels, { raw: { width, height, channels: channels as 1 | 3 } });
      if (scale > 1) img = img.resize(width * scale, height * scale, { kernel: 'nearest' });
      encoded.set(j.index, new Uint8Array(await img.png().toBuffer()));
    });
    for (const j of jobs) {
      const png = encoded.get(j.index)!;
      out[j.c].images.push({ index: j.index, png, ...(opts.encoding === 'data-url' ? { dataUrl: `data:image/png;base64,${Buffer.from(png).toString('base64')}` } : {}) });
    }
    return { name: set.name, split: splitName, height, width, channels, classes: out };
  } finally {
    for (const s of [set.train, set.test]) if (s instanceof FileSplit) s.close();
  }
}

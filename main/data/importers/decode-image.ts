// Image files to fixed-size uint8 pixels with sharp (libvips): EXIF orientation applied, the
// first frame of a GIF, alpha dropped (as PIL's convert('RGB') does), grayscale replicated to
// RGB in a colour set, and a non-square image resized so its short side fits and then
// centre-cropped (fit 'cover': torchvision's Resize(s) + CenterCrop(s)), or padded ('contain')
// or stretched ('fill') when asked.
import sharp, { type ResizeOptions, type Sharp } from 'sharp';
import type { ResizeFit } from '../library/record';

// Each image is decoded once: libvips' operation cache would only hold memory.
sharp.cache(false);

/** What we accept; sharp could also rasterise SVG or PDF, which are not photos of a class. */
const PHOTO_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif', 'avif']);

export interface ProbedImage {
  width: number;
  height: number;
  /** Gray or gray + alpha: no colour to lose. */
  gray: boolean;
}

export type Probe = { ok: true; image: ProbedImage } | { ok: false; reason: string };

/** Read only the header: is this an image we take, what size (after EXIF rotation), gray or colour. */
export async function probeImage(bytes: Buffer): Promise<Probe> {
  try {
    const m = await sharp(bytes).metadata();
    if (!m.format || !PHOTO_FORMATS.has(m.format)) return { ok: false, reason: `${m.format ?? 'unknown'} is not a photo format we import` };
    if (!m.width || !m.height) return { ok: false, reason: 'the image has no size' };
    const rotated = (m.orientation ?? 1) >= 5;
    return { ok: true, image: { width: rotated ? m.height : m.width, height: rotated ? m.width : m.height, gray: (m.channels ?? 3) <= 2 } };
  } catch (e) {
    return { ok: false, reason: `not a readable image (${(e as Error).message})` };
  }
}

function finish(img: Sharp, channels: 1 | 3): Sharp {
  return img.removeAlpha().toColourspace(channels === 1 ? 'b-w' : 'srgb').raw({ depth: 'uchar' });
}

function resizeOptions(fit: ResizeFit): ResizeOptions {
  return { fit, position: 'centre', kernel: 'lanczos3', background: { r: 0, g: 0, b: 0, alpha: 1 } };
}

async function output(img: Sharp, size: number, channels: 1 | 3): Promise<Uint8Array> {
  const { data, info } = await img.toBuffer({ resolveWithObject: true });
  if (info.width !== size || info.height !== size || info.channels !== channels) {
    throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${size}×${size}×${channels}`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/** Decode a file's bytes to size×size×channels, HWC. Throws with the decoder's reason. */
export async function decodeToSquare(bytes: Buffer, size: number, channels: 1 | 3, fit: ResizeFit): Promise<Uint8Array> {
  const img = sharp(bytes, { failOn: 'error', pages: 1 }).rotate().resize(size, size, resizeOptions(fit));
  return output(finish(img, channels), size, channels);
}

/** Resize raw HWC pixels (STL-10, npz rows) to size×size with the same rules. */
export async function resizeRaw(pixels: Uint8Array, width: number, height: number, channels: 1 | 3, size: number, fit: ResizeFit): Promise<Uint8Array> {
  const img = sharp(pixels, { raw: { width, height, channels } }).resize(size, size, resizeOptions(fit));
  return output(finish(img, channels), size, channels);
}

// Shared by the binary-format importers: write decoded images into a split, resizing them to
// --size on the way when it was asked for (the stored size is fixed at import, never per step).
import type { ImportContext } from '../library/import-context';
import type { ImageShape, SplitWriter } from '../library/split-writer';
import { gunzipIfGzip } from '../sources/gzip';
import { resizeRaw } from './decode-image';

export function targetShape(ctx: ImportContext, native: ImageShape): ImageShape {
  const size = ctx.options.size;
  return size === null ? native : { height: size, width: size, channels: native.channels };
}

export function isResized(ctx: ImportContext, native: ImageShape): boolean {
  const t = targetShape(ctx, native);
  return t.height !== native.height || t.width !== native.width;
}

/** One image at the stored size (the same view when no resize was asked for). */
export async function resizeIfAsked(ctx: ImportContext, image: Uint8Array, native: ImageShape): Promise<Uint8Array> {
  if (!isResized(ctx, native)) return image;
  return resizeRaw(image, native.width, native.height, native.channels as 1 | 3, ctx.options.size!, ctx.options.fit);
}

/** Append n images of `native` shape (NHWC) with their labels; resized in parallel when needed, order kept. */
export async function writeImages(ctx: ImportContext, writer: SplitWriter, pixels: Uint8Array, labels: ArrayLike<number> | null, native: ImageShape): Promise<void> {
  const per = native.height * native.width * native.channels;
  const n = pixels.length / per;
  const block = 512;
  for (let start = 0; start < n; start += block) {
    ctx.progress.check();
    const end = Math.min(n, start + block);
    const part = pixels.subarray(start * per, end * per);
    const partLabels = labels ? Array.from({ length: end - start }, (_, i) => labels[start + i]) : null;
    if (!isResized(ctx, native)) {
      writer.add(part, partLabels);
    } else {
      const size = ctx.options.size!;
      const resized = await Promise.all(
        Array.from({ length: end - start }, (_, i) => resizeRaw(part.subarray(i * per, (i + 1) * per), native.width, native.height, native.channels as 1 | 3, size, ctx.options.fit)),
      );
      const out = new Uint8Array(resized.length * size * size * native.channels);
      resized.forEach((r, i) => out.set(r, i * r.length));
      writer.add(out, partLabels);
    }
    ctx.progress.advance(end - start);
  }
}

/** Read several (small enough) files of the tree into memory at once, in the container's order. */
export async function readFiles(ctx: ImportContext, paths: string[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  ctx.progress.start('read', paths.length);
  await ctx.tree.eachFile(paths, (p, bytes) => {
    out.set(p, gunzipIfGzip(bytes, ctx.tree.describe(p)));
    ctx.progress.advance();
  }, { signal: ctx.signal });
  return out;
}

/** Non-empty trimmed lines of a class-names file. */
export function nameLines(bytes: Buffer | undefined): string[] | null {
  if (!bytes) return null;
  const lines = bytes.toString('utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return lines.length ? lines : null;
}

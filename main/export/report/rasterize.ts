// SVG → PNG for the report figure, with resvg (a Rust renderer, prebuilt through npm) and the
// DejaVu Sans files from npm, so the picture is the same on every machine whatever fonts it
// has. The PNG carries its resolution (pHYs), so it prints at the figure's size in points.
import { Resvg } from '@resvg/resvg-js';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { EffconvError } from '../../contract/errors';

export const FIGURE_DPI = 300;

function fontFiles(): string[] {
  const dir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  const files = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => join(dir, f));
  const missing = files.find((f) => !existsSync(f));
  if (missing) throw new EffconvError('INTERNAL', `the figure font ${missing} is missing (reinstall the dejavu-fonts-ttf package)`);
  return files;
}

/** Insert a pHYs chunk (pixels per metre) right after IHDR. */
export function withDpi(png: Uint8Array, dpi: number): Uint8Array {
  const ppm = Math.round(dpi / 0.0254);
  const chunk = new Uint8Array(21);
  const v = new DataView(chunk.buffer);
  v.setUint32(0, 9);
  chunk.set([0x70, 0x48, 0x59, 0x73], 4); // "pHYs"
  v.setUint32(8, ppm);
  v.setUint32(12, ppm);
  chunk[16] = 1; // unit: metre
  v.setUint32(17, crc32(chunk.subarray(4, 17)));
  const ihdrEnd = 8 + 8 + 13 + 4; // signature, IHDR length+type, IHDR data, CRC
  const out = new Uint8Array(png.length + chunk.length);
  out.set(png.subarray(0, ihdrEnd));
  out.set(chunk, ihdrEnd);
  out.set(png.subarray(ihdrEnd), ihdrEnd + chunk.length);
  return out;
}

/** Render an SVG whose width is given in pt at `dpi`. Tooltips (<title>) draw nothing, so resvg is spared parsing them. */
export function svgToPng(svg: string, widthPt: number, dpi = FIGURE_DPI): Uint8Array {
  const r = new Resvg(svg.replace(/<title>[^<]*<\/title>/g, ''), {
    font: { loadSystemFonts: false, fontFiles: fontFiles(), defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    fitTo: { mode: 'width', value: Math.round((widthPt * dpi) / 72) },
    background: '#ffffff',
    shapeRendering: 2,
    textRendering: 1,
    logLevel: 'off',
  });
  return withDpi(new Uint8Array(r.render().asPng()), dpi);
}

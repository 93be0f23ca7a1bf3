// A figure as the two files a report carries: NAME.svg (vector) and NAME.png (300 dpi, or less
// for a figure so large that 300 dpi would pass MAX_PNG_PIXELS: a 500-point sweep's heatmap).
import { join } from 'node:path';
import { writeFileAtomic } from '../../common/atomic-write';
import { figureSizePt } from './figure-svg';
import { FIGURE_DPI, svgToPng } from './rasterize';

export const MAX_PNG_PIXELS = 60e6;

export interface FigureSize {
  widthIn: number;
  heightIn: number;
  /** The PNG's resolution. */
  dpi: number;
}

/** Write NAME.svg and NAME.png into dir; returns the figure's size in inches and the PNG's dpi (for captions). */
export function writeFigure(dir: string, name: string, svg: string): FigureSize {
  const { width, height } = figureSizePt(svg);
  const [widthIn, heightIn] = [width / 72, height / 72];
  const dpi = Math.min(FIGURE_DPI, Math.floor(Math.sqrt(MAX_PNG_PIXELS / (widthIn * heightIn))));
  writeFileAtomic(join(dir, `${name}.svg`), svg);
  writeFileAtomic(join(dir, `${name}.png`), svgToPng(svg, width, dpi));
  return { widthIn, heightIn, dpi };
}

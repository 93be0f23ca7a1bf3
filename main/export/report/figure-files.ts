// A figure as the two files a report carries: NAME.svg (vector) and NAME.png (300 dpi).
import { join } from 'node:path';
import { writeFileAtomic } from '../../common/atomic-write';
import { figureSizePt } from './figure-svg';
import { FIGURE_DPI, svgToPng } from './rasterize';

/** Write NAME.svg and NAME.png into dir; returns the figure's size in inches (for captions). */
export function writeFigure(dir: string, name: string, svg: string): { widthIn: number; heightIn: number } {
  const { width, height } = figureSizePt(svg);
  writeFileAtomic(join(dir, `${name}.svg`), svg);
  writeFileAtomic(join(dir, `${name}.png`), svgToPng(svg, width, FIGURE_DPI));
  return { widthIn: width / 72, heightIn: height / 72 };
}

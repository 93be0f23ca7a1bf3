// What every report figure shares: SVG in points (1 unit = 1 pt) sized for a paper column,
// fonts falling back from DejaVu Sans (which the PNG renderer embeds), the ink and grid
// colours, escaping, and the size a figure declares (for its PNG and its caption).
export const FIGURE_FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

export const INK = '#222222';
export const GRID = '#d9d9d9';
export const MUTED = '#6f6f6f';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Rough advance width of DejaVu Sans text, for choosing labels that fit. */
export function textWidth(s: string, size: number, bold = false): number {
  return s.length * size * (bold ? 0.63 : 0.56);
}

/** A coordinate or length as written into the SVG (two decimals at most). */
export function num(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** The whole document: a white page of width × height pt with a title, then the marks. */
export function svgFigure(width: number, height: number, title: string, marks: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}pt" height="${num(height)}pt" viewBox="0 0 ${num(width)} ${num(height)}" font-family="${FIGURE_FONT}" fill="${INK}">`,
    `<title>${esc(title)}</title>`,
    `<rect x="0" y="0" width="${num(width)}" height="${num(height)}" fill="#ffffff"/>`,
    ...marks,
    '</svg>',
  ].join('\n') + '\n';
}

/** The size a figure made by svgFigure declares, in points. */
export function figureSizePt(svg: string): { width: number; height: number } {
  const m = /width="([\d.]+)pt" height="([\d.]+)pt"/.exec(svg);
  if (!m) throw new Error('not a figure made by svgFigure (no width/height in pt)');
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** "stage2.block3.conv1" → "b3.conv1" (where the stage is shown apart). */
export function shortLayerName(layer: string): string {
  const [, block, conv] = layer.split('.');
  return block && conv ? `${block.replace('block', 'b')}.${conv}` : layer;
}

/** "stage2.block3.conv1" → "stage2". */
export function layerStage(layer: string): string {
  return layer.split('.')[0];
}

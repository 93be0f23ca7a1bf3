// The pieces the sweep figures share, drawn with d3's scales and shapes into SVG strings:
// one colour per backbone, parameter axes (logarithmic once the values span a factor of 3),
// percentage axes, axes with their grid, point markers, and a legend that wraps.
import { scaleLinear, scaleLog, type ScaleLinear, type ScaleLogarithmic } from 'd3-scale';
import { schemeTableau10 } from 'd3-scale-chromatic';
import { esc, GRID, INK, num, textWidth } from '../report/figure-svg';

export type Scale = ScaleLinear<number, number> | ScaleLogarithmic<number, number>;

export interface Plot {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export function backboneColours(backbones: readonly string[]): (backbone: string) => string {
  return (b) => schemeTableau10[Math.max(0, backbones.indexOf(b)) % schemeTableau10.length];
}

export const percent = (v: number): string => (v * 100).toFixed(2);

/** Parameters along [a, b]: logarithmic when the largest is 3× the smallest or more, else linear; padded either way. */
export function paramsScale(values: readonly number[], range: [number, number]): Scale {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (lo > 0 && hi / lo >= 3) return scaleLog().domain([lo / 1.15, hi * 1.15]).range(range);
  const pad = hi > lo ? (hi - lo) * 0.12 : Math.max(1, hi * 0.1);
  return scaleLinear().domain([Math.max(0, lo - pad), hi + pad]).range(range).nice(5);
}

/** Top-1 as a fraction, drawn in per cent along [a, b] (bottom to top), padded, within 0…100. */
export function percentScale(values: readonly number[], range: [number, number]): ScaleLinear<number, number> {
  const lo = Math.min(...values) * 100;
  const hi = Math.max(...values) * 100;
  const pad = Math.max(1, (hi - lo) * 0.12);
  return scaleLinear().domain([Math.max(0, lo - pad), Math.min(100, hi + pad)]).range(range).nice(5);
}

/** Tick values with their labels (a log scale leaves some unlabelled, as d3 chooses). */
function ticksOf(s: Scale, count: number, specifier: string): { value: number; label: string }[] {
  const f = s.tickFormat(count, specifier);
  return s.ticks(count).map((value) => ({ value, label: f(value) }));
}

export function xAxis(s: Scale, plot: Plot, label: string, o: { count?: number; specifier?: string } = {}): string[] {
  const out: string[] = [];
  for (const t of ticksOf(s, o.count ?? 5, o.specifier ?? '.3~s')) {
    const x = num(s(t.value));
    out.push(`<line x1="${x}" y1="${num(plot.y0)}" x2="${x}" y2="${num(plot.y1)}" stroke="${GRID}" stroke-width="${t.label ? 0.5 : 0.3}"/>`);
    if (t.label) out.push(`<text x="${x}" y="${num(plot.y1 + 10)}" font-size="7.5" text-anchor="middle">${esc(t.label)}</text>`);
  }
  out.push(`<line x1="${num(plot.x0)}" y1="${num(plot.y1)}" x2="${num(plot.x1)}" y2="${num(plot.y1)}" stroke="${INK}" stroke-width="0.8"/>`);
  out.push(`<text x="${num((plot.x0 + plot.x1) / 2)}" y="${num(plot.y1 + 22)}" font-size="8.5" text-anchor="middle">${esc(label)}</text>`);
  return out;
}

export function yAxis(s: ScaleLinear<number, number>, plot: Plot, label: string): string[] {
  const out: string[] = [];
  for (const t of s.ticks(5)) {
    const y = num(s(t));
    out.push(`<line x1="${num(plot.x0)}" y1="${y}" x2="${num(plot.x1)}" y2="${y}" stroke="${GRID}" stroke-width="0.5"/>`);
    out.push(`<text x="${num(plot.x0 - 4)}" y="${num(s(t) + 2.6)}" font-size="7.5" text-anchor="end">${t}</text>`);
  }
  out.push(`<line x1="${num(plot.x0)}" y1="${num(plot.y0)}" x2="${num(plot.x0)}" y2="${num(plot.y1)}" stroke="${INK}" stroke-width="0.8"/>`);
  out.push(`<text transform="translate(${num(plot.x0 - 30)} ${num((plot.y0 + plot.y1) / 2)}) rotate(-90)" font-size="8.5" text-anchor="middle">${esc(label)}</text>`);
  return out;
}

export const MARK = 2.7;

/** A filled circle (a searched point or a mean), with a tooltip. */
export function circleMark(cx: number, cy: number, colour: string, cls: string, data: Record<string, string | number>, tip: string): string {
  const attrs = Object.entries(data).map(([k, v]) => ` data-${k}="${esc(String(v))}"`).join('');
  return `<circle class="${cls}" cx="${num(cx)}" cy="${num(cy)}" r="${MARK}" fill="${colour}" stroke="#ffffff" stroke-width="0.5"${attrs}><title>${esc(tip)}</title></circle>`;
}

/** A hollow square (a 3×3 baseline), with a tooltip. */
export function squareMark(cx: number, cy: number, colour: string, cls: string, data: Record<string, string | number>, tip: string): string {
  const attrs = Object.entries(data).map(([k, v]) => ` data-${k}="${esc(String(v))}"`).join('');
  const h = MARK * 1.05;
  return `<rect class="${cls}" x="${num(cx - h)}" y="${num(cy - h)}" width="${num(2 * h)}" height="${num(2 * h)}" fill="#ffffff" stroke="${colour}" stroke-width="1.2"${attrs}><title>${esc(tip)}</title></rect>`;
}

export interface LegendItem {
  mark: 'circle' | 'square' | 'step' | 'dashed' | 'band' | 'line';
  colour: string;
  label: string;
}

/** Legend entries left to right from (x, y), wrapping at maxWidth; returns the marks and the height used. */
export function legend(items: readonly LegendItem[], x: number, y: number, maxWidth: number): { marks: string[]; height: number } {
  const marks: string[] = [];
  const row = 11;
  let cx = x;
  let cy = y;
  for (const it of items) {
    const w = 16 + textWidth(it.label, 7.5) + 10;
    if (cx > x && cx + w > x + maxWidth) {
      cx = x;
      cy += row;
    }
    const my = cy + 4;
    const swatch = {
      circle: `<circle cx="${num(cx + 6)}" cy="${num(my)}" r="${MARK}" fill="${it.colour}"/>`,
      square: `<rect x="${num(cx + 3)}" y="${num(my - 2.8)}" width="5.6" height="5.6" fill="#ffffff" stroke="${it.colour}" stroke-width="1.2"/>`,
      step: `<path d="M${num(cx)} ${num(my + 3)}h6v-6h6" fill="none" stroke="${it.colour}" stroke-width="1"/>`,
      dashed: `<path d="M${num(cx)} ${num(my)}h12" stroke="${it.colour}" stroke-width="1" stroke-dasharray="4 2"/>`,
      band: `<rect x="${num(cx)}" y="${num(my - 3.5)}" width="12" height="7" fill="${it.colour}" fill-opacity="0.18"/><path d="M${num(cx + 6)} ${num(my - 3.5)}v7" stroke="${it.colour}" stroke-width="0.8"/>`,
      line: `<path d="M${num(cx)} ${num(my)}h12" stroke="${it.colour}" stroke-width="1.2"/><circle cx="${num(cx + 6)}" cy="${num(my)}" r="2" fill="${it.colour}"/>`,
    }[it.mark];
    marks.push(`<g class="legend-item">${swatch}<text x="${num(cx + 16)}" y="${num(my + 2.7)}" font-size="7.5">${esc(it.label)}</text></g>`);
    cx += w;
  }
  return { marks, height: cy - y + row };
}

/** "mnist" from a data set given as a path ("/data/mnist/" → "mnist"). */
export function datasetLabel(dataset: string): string {
  return dataset.replace(/[\\/]+$/, '').split(/[\\/]/).pop() || dataset;
}

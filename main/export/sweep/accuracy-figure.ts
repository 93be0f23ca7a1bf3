// accuracy-vs-budget.svg (the paper's Fig. 3): top-1 against the budget, one panel per data
// set, one colour per backbone: the mean over seeds as a line with markers, the seeds'
// min–max as a band and a whisker at each budget (only where two or more seeds completed),
// and each backbone's 3×3 baseline as a dashed horizontal line with a hollow square at its
// own parameter count.
import { area, line } from 'd3-shape';
import type { SweepDetail } from '../../contract/sweep';
import { esc, num, svgFigure } from '../report/figure-svg';
import { backboneColours, circleMark, datasetLabel, legend, paramsScale, percent, percentScale, squareMark, xAxis, yAxis, type LegendItem, type Plot, type Scale } from './chart-parts';
import type { ResultRow } from './sweep-stats';

const PLOT_W = 250;
const PLOT_H = 170;
const PANEL = { left: 46, right: 14, top: 18, bottom: 32 };

function whisker(x: number, lo: number, hi: number, colour: string, row: ResultRow): string {
  const d = `M${num(x)} ${num(lo)}V${num(hi)}M${num(x - 2.5)} ${num(lo)}h5M${num(x - 2.5)} ${num(hi)}h5`;
  return `<path class="spread" data-backbone="${esc(row.backbone)}" data-budget="${row.budget}" data-min="${row.top1!.min}" data-max="${row.top1!.max}" d="${d}" fill="none" stroke="${colour}" stroke-width="0.8"/>`;
}

function series(rows: ResultRow[], x: Scale, y: (v: number) => number, plot: Plot, colour: string): string[] {
  const out: string[] = [];
  const search = rows.filter((r) => r.kind === 'search' && r.top1).sort((a, b) => a.budget - b.budget);
  const base = rows.find((r) => r.kind === 'baseline' && r.top1);
  if (base) {
    const s = base.top1!;
    out.push(`<line class="baseline" data-backbone="${esc(base.backbone)}" data-top1="${s.mean}" x1="${num(plot.x0)}" y1="${num(y(s.mean))}" x2="${num(plot.x1)}" y2="${num(y(s.mean))}" stroke="${colour}" stroke-width="0.9" stroke-dasharray="4 3"/>`);
    if (s.n > 1) out.push(whisker(x(base.budget), y(s.min), y(s.max), colour, base));
    out.push(squareMark(x(base.budget), y(s.mean), colour, 'baseline-point', { backbone: base.backbone, budget: base.budget, top1: s.mean, n: s.n },
      `${base.backbone} 3×3 baseline (${base.budget.toLocaleString('en-US')} parameters): top-1 ${percent(s.mean)} % over ${s.n} seed${s.n === 1 ? '' : 's'}`));
  }
  if (search.some((r) => r.top1!.n > 1) && search.length > 1) {
    const band = area<ResultRow>().x((r) => x(r.budget)).y0((r) => y(r.top1!.min)).y1((r) => y(r.top1!.max)).digits(2)(search);
    out.push(`<path class="spread-band" d="${band}" fill="${colour}" fill-opacity="0.15" stroke="none"/>`);
  }
  if (search.length > 1) {
    const path = line<ResultRow>().x((r) => x(r.budget)).y((r) => y(r.top1!.mean)).digits(2)(search);
    out.push(`<path class="mean-line" data-backbone="${esc(search[0].backbone)}" d="${path}" fill="none" stroke="${colour}" stroke-width="1.2"/>`);
  }
  for (const r of search) {
    const s = r.top1!;
    if (s.n > 1) out.push(whisker(x(r.budget), y(s.min), y(s.max), colour, r));
    out.push(circleMark(x(r.budget), y(s.mean), colour, 'mean-point', { backbone: r.backbone, budget: r.budget, label: r.budgetLabel ?? '', top1: s.mean, n: s.n },
      `${r.backbone}, budget ${r.budgetLabel} (${r.budget.toLocaleString('en-US')}): top-1 ${percent(s.mean)} % mean of ${s.n} seed${s.n === 1 ? '' : 's'}${s.n > 1 ? `, ${percent(s.min)}–${percent(s.max)} %` : ''}`));
  }
  return out;
}

export function accuracyFigureSvg(s: SweepDetail, rows: ResultRow[]): string {
  const colour = backboneColours(s.grid.backbones);
  const cols = Math.min(2, s.grid.datasets.length);
  const panelW = PANEL.left + PLOT_W + PANEL.right;
  const panelH = PANEL.top + PLOT_H + PANEL.bottom;
  const width = 8 + cols * panelW;
  const items: LegendItem[] = [
    ...s.grid.backbones.map((b): LegendItem => ({ mark: 'line', colour: colour(b), label: `${b} (mean over seeds)` })),
    { mark: 'band', colour: '#6f6f6f', label: 'min–max over seeds' },
    ...(s.grid.baseline ? [{ mark: 'dashed', colour: '#6f6f6f', label: '3×3 baseline' } as LegendItem, { mark: 'square', colour: '#6f6f6f', label: 'at its own size' } as LegendItem] : []),
  ];
  const key = legend(items, PANEL.left + 4, 6, width - PANEL.left - 12);
  const top = 6 + key.height + 2;
  const height = top + Math.ceil(s.grid.datasets.length / cols) * panelH + 4;
  const marks = [...key.marks];
  s.grid.datasets.forEach((d, i) => {
    const x0 = 4 + (i % cols) * panelW;
    const y0 = top + Math.floor(i / cols) * panelH;
    const plot: Plot = { x0: x0 + PANEL.left, x1: x0 + PANEL.left + PLOT_W, y0: y0 + PANEL.top, y1: y0 + PANEL.top + PLOT_H };
    const of = rows.filter((r) => r.dataset === d && r.top1);
    marks.push(`<g class="panel" data-dataset="${esc(d)}">`);
    marks.push(`<text x="${num((plot.x0 + plot.x1) / 2)}" y="${num(y0 + 11)}" font-size="9" font-weight="bold" text-anchor="middle">${esc(datasetLabel(d))}</text>`);
    if (of.length === 0) {
      marks.push(`<text x="${num((plot.x0 + plot.x1) / 2)}" y="${num((plot.y0 + plot.y1) / 2)}" font-size="8" text-anchor="middle">no completed point</text>`, '</g>');
      return;
    }
    const x = paramsScale(of.map((r) => r.budget), [plot.x0, plot.x1]);
    const yScale = percentScale(of.flatMap((r) => [r.top1!.min, r.top1!.max]), [plot.y1, plot.y0]);
    const y = (v: number) => yScale(v * 100);
    marks.push(...yAxis(yScale, plot, 'top-1 (%)'), ...xAxis(x, plot, 'parameter budget'));
    for (const b of s.grid.backbones) marks.push(...series(of.filter((r) => r.backbone === b), x, y, plot, colour(b)));
    marks.push('</g>');
  });
  return svgFigure(width, height, `Top-1 against the parameter budget, sweep "${s.name}": mean over seeds, min–max spread${s.grid.baseline ? ', 3×3 baselines dashed' : ''}`, marks);
}

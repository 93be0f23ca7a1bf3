// pareto.svg: top-1 against parameters for every completed point, one panel per data set
// (the front is a data set's): searched points as filled circles, 3×3 baselines as hollow
// squares, one colour per backbone, and the Pareto front as a step line (the best top-1
// reachable with at most that many parameters) with its points ringed.
import { curveStepAfter, line } from 'd3-shape';
import type { SweepDetail, SweepPoint } from '../../contract/sweep';
import { esc, INK, num, svgFigure } from '../report/figure-svg';
import { formatParams } from '../../engine/models/params';
import { backboneColours, circleMark, datasetLabel, legend, MARK, paramsScale, percent, percentScale, squareMark, xAxis, yAxis, type LegendItem, type Plot } from './chart-parts';
import { isDone } from './sweep-stats';

const PLOT_W = 250;
const PLOT_H = 170;
const PANEL = { left: 46, right: 14, top: 18, bottom: 32 };

function tip(p: SweepPoint): string {
  const what = p.kind === 'baseline' ? '3×3 baseline' : `budget ${p.budgetLabel}`;
  return `point #${p.index} (run ${p.runId}): ${p.backbone} · ${datasetLabel(p.dataset)} · ${what} · seed ${p.seed}: ${p.params!.toLocaleString('en-US')} parameters, top-1 ${percent(p.top1!)} %${p.onFront ? ', on the front' : ''}`;
}

function panel(points: SweepPoint[], dataset: string, x0: number, y0: number, colour: (b: string) => string): string[] {
  const plot: Plot = { x0: x0 + PANEL.left, x1: x0 + PANEL.left + PLOT_W, y0: y0 + PANEL.top, y1: y0 + PANEL.top + PLOT_H };
  const out: string[] = [`<g class="panel" data-dataset="${esc(dataset)}">`];
  out.push(`<text x="${num((plot.x0 + plot.x1) / 2)}" y="${num(y0 + 11)}" font-size="9" font-weight="bold" text-anchor="middle">${esc(datasetLabel(dataset))}</text>`);
  if (points.length === 0) {
    out.push(`<text x="${num((plot.x0 + plot.x1) / 2)}" y="${num((plot.y0 + plot.y1) / 2)}" font-size="8" text-anchor="middle">no completed point</text>`, '</g>');
    return out;
  }
  const x = paramsScale(points.map((p) => p.params!), [plot.x0, plot.x1]);
  const y = percentScale(points.map((p) => p.top1!), [plot.y1, plot.y0]);
  out.push(...yAxis(y, plot, 'top-1 (%)'), ...xAxis(x, plot, 'parameters'));
  // The front as a staircase: up at each front point, level to the panel's edge after the last.
  const front = points.filter((p) => p.onFront).sort((a, b) => a.params! - b.params! || a.top1! - b.top1!);
  const steps: [number, number][] = front.map((p) => [x(p.params!), y(p.top1! * 100)]);
  if (steps.length) steps.push([plot.x1, steps[steps.length - 1][1]]);
  const path = line().curve(curveStepAfter).digits(2)(steps);
  if (path) out.push(`<path class="front" d="${path}" fill="none" stroke="${INK}" stroke-width="0.9"/>`);
  // Baselines under the searched points, so a search that lands on its baseline still shows.
  for (const p of [...points].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'baseline' ? -1 : 1))) {
    const data = { point: p.index, run: p.runId, backbone: p.backbone, params: p.params!, top1: p.top1!, front: String(p.onFront) };
    const cx = x(p.params!);
    const cy = y(p.top1! * 100);
    out.push(p.kind === 'baseline' ? squareMark(cx, cy, colour(p.backbone), 'point baseline', data, tip(p)) : circleMark(cx, cy, colour(p.backbone), 'point search', data, tip(p)));
  }
  for (const p of front) out.push(`<circle class="front-mark" cx="${num(x(p.params!))}" cy="${num(y(p.top1! * 100))}" r="${MARK + 1.6}" fill="none" stroke="${INK}" stroke-width="0.7"/>`);
  out.push('</g>');
  return out;
}

export function paretoFigureSvg(s: SweepDetail): string {
  const done = s.points.filter(isDone);
  const colour = backboneColours(s.grid.backbones);
  const cols = Math.min(2, s.grid.datasets.length);
  const panelW = PANEL.left + PLOT_W + PANEL.right;
  const panelH = PANEL.top + PLOT_H + PANEL.bottom;
  const width = 8 + cols * panelW;
  const items: LegendItem[] = [
    ...s.grid.backbones.map((b): LegendItem => ({ mark: 'circle', colour: colour(b), label: b })),
    ...(s.grid.baseline ? [{ mark: 'square', colour: '#6f6f6f', label: '3×3 baseline' } as LegendItem] : []),
    { mark: 'step', colour: INK, label: 'Pareto front (points ringed)' },
  ];
  const key = legend(items, PANEL.left + 4, 6, width - PANEL.left - 12);
  const top = 6 + key.height + 2;
  const rows = Math.ceil(s.grid.datasets.length / cols);
  const height = top + rows * panelH + 4;
  const marks = [...key.marks];
  s.grid.datasets.forEach((d, i) => {
    marks.push(...panel(done.filter((p) => p.dataset === d), d, 4 + (i % cols) * panelW, top + Math.floor(i / cols) * panelH, colour));
  });
  return svgFigure(width, height, `Top-1 against parameters, sweep "${s.name}" (${done.length} of ${s.points.length} points completed; ${formatParams(Math.max(0, ...done.map((p) => p.params!)))} parameters at most)`, marks);
}

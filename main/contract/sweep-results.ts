// A sweep's results read as the paper reads them: one cell per backbone × dataset × budget (and
// the all-3×3 baseline of each backbone × dataset), its completed seeds pooled into a mean, a
// spread and the mean learned size of every layer. Pure functions over the Api's SweepPoint,
// shared by every view of a sweep (no Node, Electron or DOM API here).
import type { SweepPoint, SweepPointKind } from './sweep';

export interface SweepCell {
  kind: SweepPointKind;
  backbone: string;
  dataset: string;
  /** The budget as written ("0.5x", "30k"); null for the baseline. */
  budgetLabel: string | null;
  /** The parameter budget (the baseline's own all-3×3 count). */
  budget: number;
  /** Points of this cell (one per seed). */
  points: number;
  /** Completed points, whose results the statistics pool. */
  completed: number;
  top1Mean: number | null;
  /** Sample standard deviation over the completed seeds (n − 1); null below two. */
  top1Std: number | null;
  top1Min: number | null;
  top1Max: number | null;
  paramsMean: number | null;
  /** Mean learned size per layer over the completed seeds, in the order of `layers`. */
  sizesMean: number[] | null;
  layers: string[] | null;
  /** top1Mean minus the baseline's of the same backbone × dataset; null without both. */
  deltaTop1: number | null;
}

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

function sampleStd(xs: number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs)!;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

const cellKey = (p: Pick<SweepPoint, 'kind' | 'backbone' | 'dataset' | 'budget'>): string => `${p.kind}\n${p.backbone}\n${p.dataset}\n${p.budget}`;

/**
 * The cells of a sweep in the order their first point appears in the grid (per dataset and
 * backbone: the baseline, then the budgets as written).
 */
export function sweepCells(points: readonly SweepPoint[]): SweepCell[] {
  const groups = new Map<string, SweepPoint[]>();
  for (const p of points) {
    const k = cellKey(p);
    const g = groups.get(k);
    if (g) g.push(p);
    else groups.set(k, [p]);
  }
  const cells = [...groups.values()].map((g): SweepCell => {
    const done = g.filter((p) => p.status === 'completed');
    const top1 = done.map((p) => p.top1).filter((v): v is number => v !== null);
    const params = done.map((p) => p.params).filter((v): v is number => v !== null);
    const withSizes = done.filter((p) => p.sizes !== null && p.layers !== null);
    const layers = withSizes[0]?.layers ?? g.find((p) => p.layers)?.layers ?? null;
    const sizesMean = withSizes.length && layers ? layers.map((_, i) => mean(withSizes.map((p) => p.sizes![i]))!) : null;
    const first = g[0];
    return {
      kind: first.kind, backbone: first.backbone, dataset: first.dataset, budgetLabel: first.budgetLabel, budget: first.budget,
      points: g.length, completed: done.length,
      top1Mean: mean(top1), top1Std: sampleStd(top1), top1Min: top1.length ? Math.min(...top1) : null, top1Max: top1.length ? Math.max(...top1) : null,
      paramsMean: mean(params), sizesMean, layers, deltaTop1: null,
    };
  });
  for (const c of cells) {
    if (c.kind !== 'search' || c.top1Mean === null) continue;
    const base = cells.find((b) => b.kind === 'baseline' && b.backbone === c.backbone && b.dataset === c.dataset);
    if (base?.top1Mean != null) c.deltaTop1 = c.top1Mean - base.top1Mean;
  }
  return cells;
}

/** The backbone × dataset pairs of a sweep's cells, in grid order, each with its search cells by growing budget and its baseline. */
export function sweepLines(cells: readonly SweepCell[]): { backbone: string; dataset: string; search: SweepCell[]; baseline: SweepCell | null }[] {
  const lines = new Map<string, { backbone: string; dataset: string; search: SweepCell[]; baseline: SweepCell | null }>();
  for (const c of cells) {
    const k = `${c.backbone}\n${c.dataset}`;
    const line = lines.get(k) ?? { backbone: c.backbone, dataset: c.dataset, search: [], baseline: null };
    lines.set(k, line);
    if (c.kind === 'baseline') line.baseline = c;
    else line.search.push(c);
  }
  for (const l of lines.values()) l.search.sort((a, b) => a.budget - b.budget);
  return [...lines.values()];
}

/** "#3 30k resnet8 mnist seed 1", "#0 baseline 3×3 resnet8 mnist seed 1": a point as people name it. */
export function sweepPointName(p: Pick<SweepPoint, 'index' | 'kind' | 'budgetLabel' | 'backbone' | 'dataset' | 'seed'>): string {
  return `#${p.index} ${p.kind === 'baseline' ? 'baseline 3×3' : p.budgetLabel} ${p.backbone} ${p.dataset.replace(/[\\/]+$/, '').split(/[\\/]/).pop() || p.dataset} seed ${p.seed}`;
}

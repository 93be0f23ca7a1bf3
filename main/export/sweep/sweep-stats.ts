// The results table of a sweep, as the paper reports one: a row per backbone × data set ×
// budget (the 3×3 baseline first), each over the seeds whose point completed: mean
// parameters, top-1 and top-5 as mean ± sample standard deviation (n − 1), the change in
// top-1 against the baseline of the same backbone, data set and seed (the mean of the paired
// differences), the mean learned size of every layer, and seconds per epoch of both stages.
import type { SweepDetail, SweepPoint, SweepPointKind } from '../../contract/sweep';

export interface Stat {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); null for a single value. */
  std: number | null;
  min: number;
  max: number;
}

export function stat(values: readonly number[]): Stat | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : null;
  return { n, mean, std, min: Math.min(...values), max: Math.max(...values) };
}

export interface ResultRow {
  backbone: string;
  dataset: string;
  kind: SweepPointKind;
  /** The budget as written; null for the baseline. */
  budgetLabel: string | null;
  /** The resolved parameter budget (the baseline's own all-3×3 count). */
  budget: number;
  /** Every point of the row (one per seed), and those that completed with results. */
  points: SweepPoint[];
  done: SweepPoint[];
  params: Stat | null;
  top1: Stat | null;
  top5: Stat | null;
  /** Point top-1 minus its seed's baseline top-1, over the seeds where both completed; null for the baseline row or without one. */
  deltaTop1: Stat | null;
  /** Mean learned size of each searched layer over the completed seeds. */
  sizes: number[] | null;
  searchSecondsPerEpoch: Stat | null;
  trainSecondsPerEpoch: Stat | null;
}

export const isDone = (p: SweepPoint): boolean => p.status === 'completed' && p.params !== null && p.top1 !== null;

const values = (ps: SweepPoint[], f: (p: SweepPoint) => number | null): number[] => ps.map(f).filter((v): v is number => v !== null && Number.isFinite(v));

function meanSizes(done: SweepPoint[]): number[] | null {
  const all = done.map((p) => p.sizes).filter((s): s is number[] => Array.isArray(s) && s.length > 0);
  if (all.length === 0) return null;
  return all[0].map((_, l) => all.reduce((a, s) => a + s[l], 0) / all.length);
}

/** The rows in the order of the grid's data sets and backbones; in each, the baseline first and the budgets ascending. */
export function resultRows(s: SweepDetail): ResultRow[] {
  const groups = new Map<string, SweepPoint[]>();
  for (const p of s.points) {
    const key = [p.dataset, p.backbone, p.kind, p.budgetLabel ?? ''].join('\n');
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const baselineOf = new Map<string, SweepPoint>();
  for (const p of s.points) if (p.kind === 'baseline' && isDone(p)) baselineOf.set([p.dataset, p.backbone, p.seed].join('\n'), p);
  const order = (p: SweepPoint) => [s.grid.datasets.indexOf(p.dataset), s.grid.backbones.indexOf(p.backbone), p.kind === 'baseline' ? 0 : 1, p.budget];
  const rows = [...groups.values()].map((points): ResultRow => {
    const first = points[0];
    const done = points.filter(isDone);
    const pairs = first.kind === 'search'
      ? done.flatMap((p) => {
          const b = baselineOf.get([p.dataset, p.backbone, p.seed].join('\n'));
          return b ? [p.top1! - b.top1!] : [];
        })
      : [];
    return {
      backbone: first.backbone, dataset: first.dataset, kind: first.kind, budgetLabel: first.budgetLabel, budget: first.budget, points, done,
      params: stat(values(done, (p) => p.params)), top1: stat(values(done, (p) => p.top1)), top5: stat(values(done, (p) => p.top5)),
      deltaTop1: stat(pairs), sizes: meanSizes(done),
      searchSecondsPerEpoch: stat(values(done, (p) => p.searchSecondsPerEpoch)), trainSecondsPerEpoch: stat(values(done, (p) => p.trainSecondsPerEpoch)),
    };
  });
  return rows.sort((a, b) => {
    const [x, y] = [order(a.points[0]), order(b.points[0])];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  });
}

// What a sweep request means: its budget list parsed ("0.2M,0.4M", "0.2M..0.8M:4" log-spaced,
// "0.5x,1x,2x" multiples of each backbone's all-3×3 count), its grid expanded into points,
// each point's budget resolved and checked against what its backbone can reach on its data
// set, and the options of each point's run (a baseline trains the all-3×3 network, no search).
import { EffconvError } from '../../contract/errors';
import type { InputShape } from '../../contract/config';
import type { RunOptions } from '../../contract/run';
import type { BudgetTerm, PlannedPoint, SweepGrid, SweepPlan, SweepRunOptions } from '../../contract/sweep';
import { buildConfig } from '../../engine/config';
import { backboneName, describeNetwork, parseBackbone, type NetworkSpec } from '../../engine/models/backbone';
import { budgetRange, formatParams, parseBudget, uniformSizes } from '../../engine/models/params';

const MAX_RANGE_POINTS = 64;

function badTerm(term: string, why: string): EffconvError {
  return new EffconvError('BUDGET_INVALID', `budget "${term}": ${why}`, 'budgets');
}

/** "0.5x" → 0.5; null when the term is not relative. */
function relativeFactor(term: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*[xX×]\s*$/.exec(term);
  if (!m) return null;
  const f = Number(m[1]);
  if (!(f > 0)) throw badTerm(term, 'a multiple of the 3×3 count must be positive');
  return f;
}

const factorLabel = (f: number): string => `${Number(f.toPrecision(3))}x`;

function single(term: string): BudgetTerm {
  const factor = relativeFactor(term);
  if (factor !== null) return { kind: 'relative', factor, label: term.trim() };
  try {
    return { kind: 'params', params: parseBudget(term), label: term.trim() };
  } catch {
    throw badTerm(term, 'not a parameter count (400000, 400k, 0.4M), a multiple of the 3×3 count (0.5x) or a range (0.2M..0.8M:4)');
  }
}

/** A..B:N, N values log-spaced from A to B inclusive (both ends of one kind). */
function range(term: string): BudgetTerm[] {
  const m = /^(.+)\.\.(.+):\s*(\d+)\s*$/.exec(term);
  if (!m) throw badTerm(term, 'a range is A..B:N (N log-spaced values from A to B)');
  const n = Number(m[3]);
  if (n < 2 || n > MAX_RANGE_POINTS) throw badTerm(term, `a range needs 2…${MAX_RANGE_POINTS} values, got ${n}`);
  const [a, b] = [single(m[1]), single(m[2])];
  if (a.kind !== b.kind) throw badTerm(term, 'both ends must be parameter counts or both multiples of the 3×3 count');
  const lo = a.kind === 'params' ? a.params : a.factor;
  const hi = b.kind === 'params' ? b.params : (b as { factor: number }).factor;
  if (!(hi > lo)) throw badTerm(term, 'the end must be larger than the start');
  return Array.from({ length: n }, (_, i) => {
    const v = lo * (hi / lo) ** (i / (n - 1));
    return a.kind === 'params' ? { kind: 'params', params: Math.round(v), label: formatParams(Math.round(v)) } : { kind: 'relative', factor: v, label: factorLabel(v) };
  });
}

/** The budget list of a sweep, in the order written; repeated values are refused. */
export function parseBudgetList(text: string): BudgetTerm[] {
  const terms = text.split(',').map((t) => t.trim()).filter(Boolean);
  if (terms.length === 0) throw new EffconvError('BUDGET_INVALID', 'a sweep needs at least one budget (e.g. 0.2M,0.4M or 0.5x,1x,2x)', 'budgets');
  const out = terms.flatMap((t) => (t.includes('..') ? range(t) : [single(t)]));
  const keys = out.map((b) => (b.kind === 'params' ? `p${b.params}` : `x${b.factor}`));
  const dup = keys.findIndex((k, i) => keys.indexOf(k) !== i);
  if (dup >= 0) throw badTerm(out[dup].label, 'appears twice in the list');
  return out;
}

export interface DatasetShape extends InputShape {
  classes: number;
}

export interface GridRequest {
  budgets: string;
  backbones: string[];
  datasets: string[];
  seeds: number[];
  baseline: boolean;
}

function unique<T>(xs: T[], what: string): T[] {
  const dup = xs.find((x, i) => xs.indexOf(x) !== i);
  if (dup !== undefined) throw new EffconvError('INVALID_ARGUMENT', `${what} ${JSON.stringify(dup)} appears twice`, what);
  if (xs.length === 0) throw new EffconvError('INVALID_ARGUMENT', `a sweep needs at least one ${what}`, what);
  return xs;
}

const pointName = (p: Pick<PlannedPoint, 'backbone' | 'dataset' | 'seed'> & { label: string }) => `${p.backbone} · ${p.dataset} · ${p.label} · seed ${p.seed}`;

/**
 * The grid and its points: for each dataset, backbone and seed, the baseline (when asked) and
 * one search per budget. Every budget is checked against its backbone's reachable range on
 * that dataset before anything is recorded; the first point outside is refused by name.
 */
export function planSweep(req: GridRequest, shapeOf: (dataset: string) => DatasetShape): { grid: SweepGrid; plan: SweepPlan; nets: Map<string, NetworkSpec> } {
  const budgets = parseBudgetList(req.budgets);
  const backbones = unique(req.backbones.map((b) => backboneName(parseBackbone(b))), 'backbone');
  const datasets = unique(req.datasets.map((d) => d.trim()), 'dataset');
  const seeds = unique(req.seeds, 'seed');
  const grid: SweepGrid = { budgets, backbones, datasets, seeds, baseline: req.baseline };
  const nets = new Map<string, NetworkSpec>();
  const plan: SweepPlan = { points: [], ranges: [] };
  for (const dataset of datasets) {
    const shape = shapeOf(dataset);
    for (const backbone of backbones) {
      const net = describeNetwork(parseBackbone(backbone), { height: shape.height, width: shape.width, channels: shape.channels }, shape.classes);
      nets.set(`${backbone}\n${dataset}`, net);
      const r = budgetRange(net);
      plan.ranges.push({ backbone, dataset, ...r, layers: net.layers.length });
      for (const seed of seeds) {
        if (req.baseline) plan.points.push({ index: plan.points.length, kind: 'baseline', backbone, dataset, seed, budgetLabel: null, budget: r.baseline });
        for (const b of budgets) {
          const budget = b.kind === 'params' ? b.params : Math.round(b.factor * r.baseline);
          if (budget < r.min || budget > r.max) {
            throw new EffconvError(
              'BUDGET_UNREACHABLE',
              `point "${pointName({ backbone, dataset, seed, label: b.label })}": budget ${budget.toLocaleString('en-US')} is outside what ${backbone} can reach on ${dataset}: ` +
                `${r.min.toLocaleString('en-US')} (all 1×1) … ${r.max.toLocaleString('en-US')} (all 7×7); all 3×3 is ${r.baseline.toLocaleString('en-US')}`,
              'budgets',
            );
          }
          plan.points.push({ index: plan.points.length, kind: 'search', backbone, dataset, seed, budgetLabel: b.label, budget });
        }
      }
    }
  }
  return { grid, plan, nets };
}

/** The options of a point's run: a search under its budget, or stage 2 alone on the all-3×3 network. */
export function pointRunOptions(p: PlannedPoint, shared: SweepRunOptions, net: NetworkSpec): RunOptions {
  const base = { ...shared, backbone: p.backbone, dataset: p.dataset, seed: p.seed, budget: p.budget };
  if (p.kind === 'search') return { ...base, stages: 'both' };
  const config = buildConfig({ net, sizes: uniformSizes(net, 3), budget: null, search: null, dataset: null });
  return { ...base, stages: 'train', searchEpochs: 0, config };
}

// The arithmetic of a sweep's results table against values worked out by hand, on a grid
// where it matters: a baseline seed that failed (so the paired Δ differs from the difference
// of the means), a budget with one completed seed (no std), budgets listed out of order; and
// the command that repeats a sweep writing each budget so it resolves to the same count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunStatus } from '../../main/contract/store';
import type { BudgetTerm, SweepDetail, SweepPoint } from '../../main/contract/sweep';
import { defaultSweepOut } from '../../main/export/sweep/export-sweep';
import { sweepReportMarkdown } from '../../main/export/sweep/sweep-report-md';
import { sweepCommand } from '../../main/export/sweep/sweep-reproduce';
import { resultRows } from '../../main/export/sweep/sweep-stats';
import { parseBudgetList } from '../../main/api/records/sweep-grid';

let index = 0;
function point(kind: 'search' | 'baseline', seed: number, budgetLabel: string | null, budget: number, status: RunStatus, top1: number | null, params: number | null = null): SweepPoint {
  const done = status === 'completed';
  return {
    index: index++, kind, backbone: 'resnet8', dataset: 'mnist', seed, budgetLabel, budget, runId: 100 + index, status, progress: null, error: null,
    params: done ? (params ?? budget) : null, top1: done ? top1 : null, top5: done ? 0.99 : null, sizes: done ? [3, 3, 3, 3, 3, 3] : null, layers: null,
    searchSecondsPerEpoch: done && kind === 'search' ? 2 * seed : null, trainSecondsPerEpoch: done ? 1 : null, seconds: done ? 10 : null, onFront: false,
  };
}

const budgets: BudgetTerm[] = [{ kind: 'params', params: 60_000, label: '60k' }, { kind: 'params', params: 30_000, label: '30k' }];
const points = [
  point('baseline', 1, null, 75_002, 'completed', 0.80),
  point('search', 1, '60k', 60_000, 'completed', 0.81, 59_000),
  point('search', 1, '30k', 30_000, 'completed', 0.70, 29_000),
  point('baseline', 2, null, 75_002, 'completed', 0.84),
  point('search', 2, '60k', 60_000, 'failed', null),
  point('search', 2, '30k', 30_000, 'completed', 0.76, 29_500),
  point('baseline', 3, null, 75_002, 'failed', null),
  point('search', 3, '60k', 60_000, 'queued', null),
  point('search', 3, '30k', 30_000, 'completed', 0.79, 30_000),
];
const sweep: SweepDetail = {
  id: 7, name: 'by hand', notes: '', experimentId: 1, status: 'partial', parallel: 1,
  grid: { budgets, backbones: ['resnet8'], datasets: ['mnist'], seeds: [1, 2, 3], baseline: true },
  options: { searchEpochs: 1, trainEpochs: 1, batchSize: 32, trainBatchSize: 32, backend: 'wasm' },
  total: points.length, counts: {}, etaSeconds: null, createdAt: '', updatedAt: '', points,
};

test('rows: baseline first, budgets ascending; mean, sample std (n − 1) and the paired Δ by hand', () => {
  const rows = resultRows(sweep);
  assert.deepEqual(rows.map((r) => [r.kind, r.budgetLabel, r.done.length, r.points.length]), [['baseline', null, 2, 3], ['search', '30k', 3, 3], ['search', '60k', 1, 3]]);
  const [base, small, large] = rows;
  // Baseline: 0.80, 0.84 → mean 0.82; deviations ±0.02 → std √(0.0008 / 1) = 0.0282843.
  assert.ok(Math.abs(base.top1!.mean - 0.82) < 1e-12 && Math.abs(base.top1!.std! - 0.0282843) < 1e-7);
  // 30k: 0.70, 0.76, 0.79 → mean 0.75; deviations −0.05, 0.01, 0.04 → std √(0.0042 / 2) = 0.0458258.
  assert.ok(Math.abs(small.top1!.mean - 0.75) < 1e-12 && Math.abs(small.top1!.std! - 0.0458258) < 1e-7);
  // Δ pairs seeds 1 and 2 only (seed 3's baseline failed): −0.10, −0.08 → mean −0.09 (the
  // difference of the means would be 0.75 − 0.82 = −0.07), std √(0.0002 / 1) = 0.0141421.
  assert.equal(small.deltaTop1!.n, 2);
  assert.ok(Math.abs(small.deltaTop1!.mean + 0.09) < 1e-12 && Math.abs(small.deltaTop1!.std! - 0.0141421) < 1e-7);
  // Params 29,000, 29,500, 30,000 → 29,500; search s/epoch 2, 4, 6 → 4.
  assert.deepEqual([small.params!.mean, small.searchSecondsPerEpoch!.mean, small.trainSecondsPerEpoch!.mean], [29_500, 4, 1]);
  // 60k: one seed completed: its value, no std; Δ 0.81 − 0.80 = +0.01 from one pair.
  assert.deepEqual([large.top1!.n, large.top1!.std, large.deltaTop1!.n, large.deltaTop1!.std], [1, null, 1, null]);
  assert.ok(Math.abs(large.deltaTop1!.mean - 0.01) < 1e-12);
  assert.equal(base.deltaTop1, null);
});

test('report.md writes those numbers in the table and counts the points left out', () => {
  const md = sweepReportMarkdown({ sweep, configs: new Map(), missingConfigs: [], networks: [] }, resultRows(sweep), {
    pareto: { widthIn: 4, heightIn: 3, dpi: 300 }, accuracy: { widthIn: 4, heightIn: 3, dpi: 300 }, sizes: { widthIn: 3, heightIn: 2, dpi: 300 },
  });
  assert.ok(md.includes('| resnet8 | mnist | 3×3 baseline | — | 2/3 | 75,002 | 82.00 ± 2.83 | 99.00 ± 0.00 | — | — | 1.00 |'));
  assert.ok(md.includes('| resnet8 | mnist | `30k` | 30,000 | 3/3 | 29,500 | 75.00 ± 4.58 | 99.00 ± 0.00 | -9.00 ± 1.41 | 4.00 | 1.00 |'));
  assert.ok(md.includes('| resnet8 | mnist | `60k` | 60,000 | 1/3 | 59,000 | 81.00 | 99.00 | +1.00 | 2.00 | 1.00 |'));
  assert.ok(md.includes('3 of 9 points did not complete;'));
  assert.match(md, /\| 4 \| 105 \| resnet8 \| mnist \| `60k` \| 2 \| failed \|\s+\|/);
  assert.match(md, /\| 6 \| 107 \| resnet8 \| mnist \| 3×3 baseline \| 3 \| failed \|\s+\|/);
  assert.match(md, /\| 7 \| 108 \| resnet8 \| mnist \| `60k` \| 3 \| queued \|\s+\|/);
});

test('the repeat command writes each budget so that it resolves to the same count', () => {
  const terms = [...parseBudgetList('0.5x..2x:3'), ...parseBudgetList('0.2M..0.8M:4, 1.25x, 400k')];
  const cmd = sweepCommand({ ...sweep, grid: { ...sweep.grid, budgets: terms } }, "it's mine");
  const written = /--budget (\S+)/.exec(cmd)![1];
  // A range's values are labelled rounded (317.5k for 317,480): such a label is replaced by the exact count.
  assert.equal(written, '0.5x,1x,2x,200.0k,317480,503968,800.0k,1.25x,400k');
  assert.deepEqual(parseBudgetList(written).map((b) => (b.kind === 'params' ? b.params : b.factor)), terms.map((b) => (b.kind === 'params' ? b.params : b.factor)));
  assert.ok(cmd.endsWith(`--parallel 1 --name 'it'\\''s mine'`));
  const odd = sweepCommand({ ...sweep, grid: { ...sweep.grid, budgets: parseBudgetList('0.3x..0.9x:3') } }, 'x');
  const factors = /--budget (\S+)/.exec(odd)![1].split(',');
  assert.deepEqual(factors.map((f) => Number(f.slice(0, -1))), parseBudgetList('0.3x..0.9x:3').map((b) => (b as { factor: number }).factor));
});

test('the default folder is the sweep name made safe, in the working folder', () => {
  assert.equal(defaultSweepOut('sweep resnet8 · mnist · 30k,0.8x', 3), `${process.cwd()}/sweep resnet8 · mnist · 30k,0.8x-export`);
  assert.equal(defaultSweepOut('a/b\\c: d', 3), `${process.cwd()}/a-b-c- d-export`);
  assert.equal(defaultSweepOut('..', 3), `${process.cwd()}/sweep-3-export`);
});

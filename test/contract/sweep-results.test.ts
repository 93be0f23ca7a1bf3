// A sweep's cells by hand: seeds pooled into mean, sample std and min…max; the mean size per
// layer; Δ against the baseline of the same backbone × dataset; unfinished points left out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SweepPoint } from '../../main/contract/sweep';
import { sweepCells, sweepLines, sweepPointName } from '../../main/contract/sweep-results';

let nextRun = 1;
function point(p: Partial<SweepPoint> & Pick<SweepPoint, 'kind' | 'budget' | 'seed'>): SweepPoint {
  const runId = nextRun++;
  return {
    index: runId - 1, backbone: 'resnet8', dataset: 'mnist', budgetLabel: p.kind === 'baseline' ? null : String(p.budget), runId, status: 'completed', progress: null, error: null,
    params: p.budget, top1: null, top5: null, sizes: null, layers: ['a', 'b', 'c'], searchSecondsPerEpoch: null, trainSecondsPerEpoch: null, seconds: null, onFront: false, ...p,
  };
}

const points: SweepPoint[] = [
  point({ kind: 'baseline', budget: 75_002, seed: 1, top1: 0.9, sizes: [3, 3, 3] }),
  point({ kind: 'search', budget: 30_000, seed: 1, top1: 0.8, params: 29_000, sizes: [1, 3, 5] }),
  point({ kind: 'search', budget: 60_000, seed: 1, top1: 0.86, params: 59_000, sizes: [3, 3, 5] }),
  point({ kind: 'baseline', budget: 75_002, seed: 2, top1: 0.94, sizes: [3, 3, 3] }),
  point({ kind: 'search', budget: 30_000, seed: 2, top1: 0.84, params: 28_000, sizes: [1, 5, 7] }),
  point({ kind: 'search', budget: 60_000, seed: 2, status: 'failed', top1: null, params: null, sizes: null }),
  point({ kind: 'search', budget: 60_000, seed: 3, status: 'running', top1: 0.5, params: 1, sizes: [7, 7, 7] }),
];

test('cells pool the completed seeds: mean, sample std, min…max, mean sizes, Δ against the baseline', () => {
  const cells = sweepCells(points);
  assert.deepEqual(cells.map((c) => [c.kind, c.budget, c.points, c.completed]), [['baseline', 75_002, 2, 2], ['search', 30_000, 2, 2], ['search', 60_000, 3, 1]]);
  const [base, small, large] = cells;
  assert.ok(Math.abs(base.top1Mean! - 0.92) < 1e-12);
  // seeds 0.80 and 0.84: mean 0.82, sample std sqrt((0.02² + 0.02²) / 1) = 0.028284…
  assert.ok(Math.abs(small.top1Mean! - 0.82) < 1e-12);
  assert.ok(Math.abs(small.top1Std! - Math.SQRT2 * 0.02) < 1e-12);
  assert.deepEqual([small.top1Min, small.top1Max], [0.8, 0.84]);
  assert.equal(small.paramsMean, 28_500);
  assert.deepEqual(small.sizesMean, [1, 4, 6]);
  assert.ok(Math.abs(small.deltaTop1! - (0.82 - 0.92)) < 1e-12);
  // One completed seed of three (a failed and a running one are not results): no spread.
  assert.equal(large.top1Mean, 0.86);
  assert.equal(large.top1Std, null);
  assert.deepEqual(large.sizesMean, [3, 3, 5]);
  assert.equal(base.deltaTop1, null);
});

test('a cell with no completed point has no statistics, and no Δ', () => {
  const [c] = sweepCells([point({ kind: 'search', budget: 10, seed: 0, status: 'queued', top1: null, sizes: null })]);
  assert.deepEqual([c.top1Mean, c.top1Std, c.top1Min, c.paramsMean, c.sizesMean, c.deltaTop1], [null, null, null, null, null, null]);
});

test('lines: one per backbone × dataset, search cells by growing budget, the baseline apart', () => {
  const more = [...points, point({ kind: 'search', budget: 20_000, seed: 1, top1: 0.7, backbone: 'resnet14' }), point({ kind: 'search', budget: 10_000, seed: 1, top1: 0.6, backbone: 'resnet14' })];
  const lines = sweepLines(sweepCells(more));
  assert.deepEqual(lines.map((l) => [l.backbone, l.search.map((c) => c.budget), l.baseline?.budget ?? null]), [['resnet8', [30_000, 60_000], 75_002], ['resnet14', [10_000, 20_000], null]]);
});

test('a point is named as the CLI names it: index, budget as written (or the baseline), backbone, the dataset folder, seed', () => {
  assert.equal(sweepPointName({ index: 3, kind: 'search', budgetLabel: '0.5x', backbone: 'resnet8', dataset: '/data/mnist/', seed: 1 }), '#3 0.5x resnet8 mnist seed 1');
  assert.equal(sweepPointName({ index: 0, kind: 'baseline', budgetLabel: null, backbone: 'wrn-16-4', dataset: 'cifar10', seed: 7 }), '#0 baseline 3×3 wrn-16-4 cifar10 seed 7');
});

// What a sweep request means, without running anything: the budget grammar (lists, log-spaced
// ranges, multiples of the 3×3 count) against hand-computed values, the grid's points in
// order, each budget checked against its backbone's reachable range, and the baseline's run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EffconvError } from '../../../main/contract/errors';
import { parseBudgetList, planSweep, pointRunOptions } from '../../../main/api/records/sweep-grid';
import { sweepStatus } from '../../../main/api/records/sweeps';
import { paretoFlags } from '../../../main/common/pareto';
import { DEFAULT_RUN_OPTIONS } from '../../../main/contract/run';
import { checkConfig } from '../../../main/engine/config';

const code = (c: string, message?: RegExp) => (e: unknown) => e instanceof EffconvError && e.code === c && (!message || message.test(e.message));

test('budget lists: values as written, log-spaced ranges, multiples of the 3×3 count', () => {
  assert.deepEqual(parseBudgetList('0.2M, 400k,800000'), [
    { kind: 'params', params: 200_000, label: '0.2M' },
    { kind: 'params', params: 400_000, label: '400k' },
    { kind: 'params', params: 800_000, label: '800000' },
  ]);
  // 0.2M·4^(i/2): 0.2M, 0.4M, 0.8M
  assert.deepEqual(parseBudgetList('0.2M..0.8M:3').map((b) => (b.kind === 'params' ? b.params : 0)), [200_000, 400_000, 800_000]);
  // 100k·10^(i/3): 100000, 215443.47, 464158.88, 1000000
  assert.deepEqual(parseBudgetList('100k..1M:4').map((b) => (b.kind === 'params' ? b.params : 0)), [100_000, 215_443, 464_159, 1_000_000]);
  assert.deepEqual(parseBudgetList('0.5x,1x,2X'), [
    { kind: 'relative', factor: 0.5, label: '0.5x' },
    { kind: 'relative', factor: 1, label: '1x' },
    { kind: 'relative', factor: 2, label: '2X' },
  ]);
  // 0.25·16^(i/2): 0.25, 1, 4
  assert.deepEqual(parseBudgetList('0.25x..4x:3').map((b) => (b.kind === 'relative' ? b.factor : 0)), [0.25, 1, 4]);
  assert.deepEqual(parseBudgetList('0.25x..4x:3').map((b) => b.label), ['0.25x', '1x', '4x']);
});

test('budget lists that mean nothing are refused, naming the term', () => {
  assert.throws(() => parseBudgetList('abc'), code('BUDGET_INVALID', /budget "abc": not a parameter count/));
  assert.throws(() => parseBudgetList('0.8M..0.2M:3'), code('BUDGET_INVALID', /"0.8M..0.2M:3": the end must be larger/));
  assert.throws(() => parseBudgetList('1x..400k:3'), code('BUDGET_INVALID', /both ends must be/));
  assert.throws(() => parseBudgetList('0.2M..0.8M:1'), code('BUDGET_INVALID', /needs 2…64 values, got 1/));
  assert.throws(() => parseBudgetList('0.2M..0.8M'), code('BUDGET_INVALID', /a range is A..B:N/));
  assert.throws(() => parseBudgetList('1x, 1.0x'), code('BUDGET_INVALID', /"1.0x": appears twice/));
  assert.throws(() => parseBudgetList(' , '), code('BUDGET_INVALID', /at least one budget/));
  assert.throws(() => parseBudgetList('0x'), code('BUDGET_INVALID', /must be positive/));
});

// MNIST's shape: ResNet-8 on 28×28×1 reaches 9,466 (all 1×1) … 402,682 (all 7×7); all 3×3 is
// 1,274 fixed + 8,192·9 = 75,002 (test/shells/cli.test.ts derives the same numbers).
const mnist = () => ({ height: 28, width: 28, channels: 1, classes: 10 });

test('the grid: per dataset, backbone and seed the baseline and then each budget; relative budgets resolve per backbone', () => {
  const { grid, plan } = planSweep({ budgets: '0.5x,40k', backbones: ['ResNet-8'], datasets: ['mnist'], seeds: [1, 2], baseline: true }, mnist);
  assert.deepEqual(grid.backbones, ['resnet8']);
  assert.deepEqual(plan.ranges, [{ backbone: 'resnet8', dataset: 'mnist', min: 9_466, baseline: 75_002, max: 402_682, layers: 6 }]);
  assert.deepEqual(
    plan.points.map((p) => [p.index, p.kind, p.seed, p.budgetLabel, p.budget]),
    [[0, 'baseline', 1, null, 75_002], [1, 'search', 1, '0.5x', 37_501], [2, 'search', 1, '40k', 40_000], [3, 'baseline', 2, null, 75_002], [4, 'search', 2, '0.5x', 37_501], [5, 'search', 2, '40k', 40_000]],
  );
});

test('a budget outside a backbone\'s reach is refused before anything runs, naming the point and the range', () => {
  assert.throws(
    () => planSweep({ budgets: '1x,6x', backbones: ['resnet8'], datasets: ['mnist'], seeds: [0], baseline: false }, mnist),
    code('BUDGET_UNREACHABLE', /^point "resnet8 · mnist · 6x · seed 0": budget 450,012 is outside what resnet8 can reach on mnist: 9,466 \(all 1×1\) … 402,682 \(all 7×7\); all 3×3 is 75,002$/),
  );
  assert.throws(() => planSweep({ budgets: '5k', backbones: ['resnet8'], datasets: ['mnist'], seeds: [0], baseline: false }, mnist), code('BUDGET_UNREACHABLE', /budget 5,000/));
  assert.throws(() => planSweep({ budgets: '40k', backbones: ['resnet8', 'resnet-8'], datasets: ['mnist'], seeds: [0], baseline: false }, mnist), code('INVALID_ARGUMENT', /backbone "resnet8" appears twice/));
  assert.throws(() => planSweep({ budgets: '40k', backbones: ['resnet7'], datasets: ['mnist'], seeds: [0], baseline: false }, mnist), code('BACKBONE_INVALID'));
});

test('a baseline point trains the all-3×3 network with the shared stage-2 protocol and no search', () => {
  const { plan, nets } = planSweep({ budgets: '40k', backbones: ['resnet8'], datasets: ['mnist'], seeds: [4], baseline: true }, mnist);
  const shared = { ...DEFAULT_RUN_OPTIONS, trainEpochs: 3, trainBatchSize: 32, limitTrain: 64 };
  const { backbone: _b, budget: _g, seed: _s, stages: _t, ...rest } = shared;
  const base = pointRunOptions(plan.points[0], rest, nets.get('resnet8\nmnist')!);
  assert.equal(base.stages, 'train');
  assert.equal(base.searchEpochs, 0);
  assert.deepEqual([base.trainEpochs, base.trainBatchSize, base.limitTrain, base.seed, base.dataset], [3, 32, 64, 4, 'mnist']);
  const { config, sizes } = checkConfig(base.config);
  assert.deepEqual(sizes, [3, 3, 3, 3, 3, 3]);
  assert.equal(config.params.total, 75_002);
  const search = pointRunOptions(plan.points[1], rest, nets.get('resnet8\nmnist')!);
  assert.deepEqual([search.stages, search.budget, search.config], ['both', 40_000, undefined]);
});

test('the Pareto front by hand: fewer parameters or higher top-1, ties kept', () => {
  const points = [
    { params: 100, top1: 0.5 }, // fewest parameters
    { params: 200, top1: 0.6 }, // better than everything smaller
    { params: 150, top1: 0.4 }, // beaten by 100/0.5
    { params: 200, top1: 0.6 }, // a tie with the other 200/0.6: both stay
    { params: 300, top1: 0.55 }, // beaten by 200/0.6
    { params: 300, top1: 0.7 }, // better than everything smaller
    { params: 100, top1: 0.45 }, // same size as 100/0.5, lower
  ];
  assert.deepEqual(paretoFlags(points), [true, true, false, true, false, true, false]);
  assert.deepEqual(paretoFlags([]), []);
});

test('a sweep\'s status follows its points', () => {
  assert.equal(sweepStatus(false, { queued: 4 }, 4), 'queued');
  assert.equal(sweepStatus(false, { queued: 3, completed: 1 }, 4), 'running');
  assert.equal(sweepStatus(false, { running: 1, failed: 3 }, 4), 'running');
  assert.equal(sweepStatus(false, { completed: 4 }, 4), 'completed');
  assert.equal(sweepStatus(false, { completed: 3, failed: 1 }, 4), 'partial');
  assert.equal(sweepStatus(false, { completed: 2, paused: 1, failed: 1 }, 4), 'paused');
  assert.equal(sweepStatus(true, { completed: 2, cancelled: 2 }, 4), 'cancelled');
  assert.equal(sweepStatus(true, { running: 1, cancelled: 3 }, 4), 'running', 'still stopping');
});

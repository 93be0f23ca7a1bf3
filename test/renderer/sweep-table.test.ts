// The sweep view's table logic: filters combine, sorting puts missing values last both ways
// and breaks ties by grid order, and the seeds field names a bad term.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SweepPoint } from '../../main/contract/sweep';
import { distinct, filterPoints, NO_FILTER, parseSeeds, sortPoints } from '../../renderer/src/state/sweep-table';

const p = (index: number, o: Partial<SweepPoint>): SweepPoint => ({
  index, kind: 'search', backbone: 'resnet8', dataset: 'mnist', seed: 0, budgetLabel: '30k', budget: 30_000, runId: 100 + index, status: 'completed', progress: null, error: null,
  params: null, top1: null, top5: null, sizes: null, layers: null, searchSecondsPerEpoch: null, trainSecondsPerEpoch: null, seconds: null, onFront: false, ...o,
});
const points = [
  p(0, { kind: 'baseline', budgetLabel: null, budget: 75_002, top1: 0.9 }),
  p(1, { top1: 0.8, backbone: 'resnet14' }),
  p(2, { status: 'failed' }),
  p(3, { top1: 0.95, dataset: 'cifar10' }),
  p(4, { top1: 0.8 }),
];

test('filters combine (backbone, dataset, status, kind); the empty filter keeps everything', () => {
  assert.equal(filterPoints(points, NO_FILTER).length, 5);
  assert.deepEqual(filterPoints(points, { ...NO_FILTER, backbone: 'resnet8' }).map((x) => x.index), [0, 2, 3, 4]);
  assert.deepEqual(filterPoints(points, { ...NO_FILTER, backbone: 'resnet8', dataset: 'mnist', status: 'completed', kind: 'search' }).map((x) => x.index), [4]);
  assert.deepEqual(filterPoints(points, { ...NO_FILTER, kind: 'baseline' }).map((x) => x.index), [0]);
  assert.deepEqual(distinct(points, 'backbone'), ['resnet8', 'resnet14']);
});

test('sorting: numbers by value, ties by grid order, missing values last in both directions', () => {
  assert.deepEqual(sortPoints(points, 'top1', true).map((x) => x.index), [3, 0, 1, 4, 2]);
  assert.deepEqual(sortPoints(points, 'top1', false).map((x) => x.index), [1, 4, 0, 3, 2]);
  assert.deepEqual(sortPoints(points, 'backbone', false).map((x) => x.index), [1, 0, 2, 3, 4]);
  assert.deepEqual(sortPoints(points, 'budget', true).map((x) => x.index), [0, 1, 2, 3, 4]);
  assert.deepEqual(points.map((x) => x.index), [0, 1, 2, 3, 4], 'the input is not reordered');
});

test('seeds: commas or spaces; a term that is not a whole number is named', () => {
  assert.deepEqual(parseSeeds('0, 1 2,,3'), { seeds: [0, 1, 2, 3], error: null });
  assert.match(parseSeeds('1, x2').error ?? '', /"x2"/);
  assert.match(parseSeeds('-1').error ?? '', /"-1"/);
  assert.match(parseSeeds('1.5').error ?? '', /"1.5"/);
  assert.match(parseSeeds('  ').error ?? '', /at least one seed/);
});

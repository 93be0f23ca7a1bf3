// Step and epoch axes show whole numbers only: a 2-step run gets ticks 1 and 2, never 1.2 or 1.4;
// a long run keeps D3's round ticks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scaleLinear } from 'd3-scale';
import { wholeTicks } from '../../renderer/src/charts/ticks';

const axis = (lo: number, hi: number) => scaleLinear().domain([lo, hi]).range([0, 600]);

test('a short run: whole steps only', () => {
  assert.deepEqual(axis(1, 2).ticks(6), [1, 1.2, 1.4, 1.6, 1.8, 2], 'what D3 alone gives');
  assert.deepEqual(wholeTicks(axis(1, 2), 6), [1, 2]);
  assert.deepEqual(wholeTicks(axis(1, 3), 6), [1, 2, 3]);
  assert.deepEqual(wholeTicks(axis(0, 5), 6), [0, 1, 2, 3, 4, 5]);
});

test('a long run keeps D3\'s round ticks', () => {
  assert.deepEqual(wholeTicks(axis(1, 10_000), 6), [2000, 4000, 6000, 8000, 10000]);
});

test('a domain between two whole numbers has no tick; one holding a single whole number has that one', () => {
  assert.deepEqual(wholeTicks(axis(3.2, 3.9), 6), []);
  assert.deepEqual(wholeTicks(axis(2.5, 3.5), 2), [3]);
});

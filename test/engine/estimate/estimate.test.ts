// The run-time estimate on the sample data set (resources/: MNIST's test set), on wasm: a short
// probe of the actual ResNet-8 gives each stage's steps exactly as the run takes them and times
// within a (generous, shared machine) factor of a real run's; it leaves no tensor behind; it is
// cached per machine and used without probing again; the cache is keyed by batch size (and
// backend, device, network) and forgets other machines, other versions and old entries.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainEvent } from '../../../main/contract/events';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../../../main/contract/run';
import { executeRun } from '../../../main/api/run/pipeline';
import { fileTimingCache } from '../../../main/data/estimate-cache';
import { limitSplit, type ImageSet } from '../../../main/data/image-set';
import { ensureSampleDataset, openLibraryDataset } from '../../../main/data/library';
import { EvalSampler, TrainSampler } from '../../../main/data/sampler';
import { initBackend, type ActiveBackend } from '../../../main/engine/backends/init';
import { EVAL_BATCH, type ProbeData } from '../../../main/engine/estimate/probe-steps';
import { budgetSizes, estimateRun, type EstimateInput } from '../../../main/engine/estimate/run-estimate';
import { describeNetwork, parseBackbone } from '../../../main/engine/models/backbone';
import { countParams } from '../../../main/engine/models/params';
import { useTempLibrary } from '../../helpers/library';

const { work } = useTempLibrary('effconv-estimate-');
const OPTIONS: RunOptions = {
  ...DEFAULT_RUN_OPTIONS, dataset: 'mnist-sample', backbone: 'resnet8', budget: '60k', searchEpochs: 1, trainEpochs: 1,
  batchSize: 32, trainBatchSize: 32, limitTrain: 320, limitTest: 256, backend: 'wasm', seed: 4,
};
let data: ImageSet;
let backend: ActiveBackend;
const net = describeNetwork(parseBackbone('resnet8'), { height: 28, width: 28, channels: 1 }, 10);

before(async () => {
  await ensureSampleDataset();
  data = openLibraryDataset('mnist-sample');
  backend = await initBackend('wasm');
});

const input = (o: Partial<EstimateInput> = {}): EstimateInput => ({
  net, budget: 60_000, sizes: null, stages: 'both', backend, searchEpochs: 1, trainEpochs: 1, batchSize: 32, trainBatchSize: 32,
  trainImages: 320, testImages: 256, seed: 4, ...o,
});

function probeData(batch = 32, trainBatch = 32): ProbeData {
  const train = limitSplit(data.train, 320);
  const augment = { crop: 2, flip: false };
  return {
    search: new TrainSampler(data, train, batch, 4, augment, { background: false }),
    train: new TrainSampler(data, train, trainBatch, 5, augment, { background: false }),
    eval: new EvalSampler(data, limitSplit(data.test, EVAL_BATCH)),
  };
}

test('stage 2 is probed at the uniform size nearest the budget', () => {
  const sizes = budgetSizes(net, 60_000);
  // ResNet-8 on 28×28×1: all-2 gives 34,042 and all-3 75,002 parameters; 60,000 is nearer 75,002.
  assert.deepEqual([countParams(net, sizes.map(() => 2)), countParams(net, sizes.map(() => 3))], [34_042, 75_002]);
  assert.deepEqual(sizes, [3, 3, 3, 3, 3, 3]);
  assert.deepEqual(budgetSizes(net, 30_000), [2, 2, 2, 2, 2, 2]);
});

test('a probe on the sample predicts a real run: the same steps, times within a factor of the measured ones, no tensor left', async () => {
  const cache = fileTimingCache({ path: join(work, 'timings.json') });
  const e = await estimateRun(input(), () => probeData(), cache);
  // Another probe (uncached) leaves the tensor count where it was: the probe disposes its models.
  // (The count is taken after the first, which leaves one constant the engine keeps from its first search step.)
  const tensors = tf.memory().numTensors;
  await estimateRun(input(), () => probeData(), undefined, { warmup: 1, timed: 1 });
  assert.equal(tf.memory().numTensors, tensors, 'no tensor left by a probe');
  assert.equal(e.cached, false);
  assert.ok(e.probeSeconds > 0);
  assert.deepEqual(e.trainSizes, [3, 3, 3, 3, 3, 3]);
  assert.ok(e.search!.stepMs > 0 && e.train!.stepMs > 0 && e.train!.evalSeconds > 0);
  assert.ok(Math.abs(e.totalSeconds - e.search!.seconds - e.train!.seconds) < 1e-9);

  // The real run: stage wall times from its stage events.
  const at: Record<string, number> = {};
  const steps: Record<number, number> = {};
  await executeRun(OPTIONS, {
    onEvent: (ev: TrainEvent) => {
      if (ev.type !== 'stage') return;
      at[`${ev.stage}-${ev.status}`] = performance.now();
      steps[ev.stage] = ev.totalSteps;
    },
  });
  assert.equal(e.search!.steps, steps[1], 'stage-1 steps as the run takes them');
  assert.equal(e.train!.steps, steps[2], 'stage-2 steps as the run takes them');
  const measured = { search: (at['1-end'] - at['1-start']) / 1000, train: (at['2-end'] - at['2-start']) / 1000 };
  // Generous: this machine is shared (another process can take a core for seconds at a time).
  for (const stage of ['search', 'train'] as const) {
    const ratio = e[stage]!.seconds / measured[stage];
    assert.ok(ratio > 1 / 3 && ratio < 3, `${stage}: estimated ${e[stage]!.seconds.toFixed(1)} s, measured ${measured[stage].toFixed(1)} s`);
  }
});

test('cached per machine: the next estimate probes nothing; another batch size probes only that stage', async () => {
  const cache = fileTimingCache({ path: join(work, 'timings.json') });
  const first = await estimateRun(input(), () => assert.fail('probed although cached'), cache);
  assert.equal(first.cached, true);
  assert.equal(first.probeSeconds, 0);
  const fresh = await estimateRun(input({ searchEpochs: 3, trainImages: 320 }), () => assert.fail('probed although cached'), cache);
  assert.equal(fresh.search!.steps, 30, 'epochs change the steps, not the key');
  let asked = 0;
  const other = await estimateRun(input({ trainBatchSize: 64 }), () => {
    asked += 1;
    const d = probeData(32, 64);
    return { train: d.train, eval: d.eval };
  }, cache);
  assert.equal(asked, 1);
  assert.equal(other.cached, false);
  assert.equal(other.search!.stepMs, first.search!.stepMs, 'stage 1 from the cache');
  assert.equal(other.train!.steps, 5);
});

test('the timing cache forgets other machines, other app versions and old entries', () => {
  const path = join(work, 'invalidation.json');
  let now = Date.parse('2026-01-01T00:00:00Z');
  const mine = fileTimingCache({ path, machine: 'cpu A · 2 cores', version: '1.0.0', now: () => now });
  mine.set('k', { stepMs: 12 });
  assert.deepEqual(mine.get('k'), { stepMs: 12 });
  assert.equal(fileTimingCache({ path, machine: 'cpu B · 8 cores', version: '1.0.0', now: () => now }).get('k'), null);
  assert.equal(fileTimingCache({ path, machine: 'cpu A · 2 cores', version: '1.1.0', now: () => now }).get('k'), null);
  now += 31 * 86_400_000;
  assert.equal(mine.get('k'), null, 'older than 30 days');
  assert.equal(fileTimingCache({ path: join(work, 'missing', 'x.json') }).get('k'), null);
});

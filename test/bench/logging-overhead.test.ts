// Recording every stage-1 step costs well under 2% of the step (ResNet-8, Fashion-MNIST,
// wasm: the slowest case for this ratio is a fast step; a ResNet-20 step is ~10× longer).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureLoggingOverhead } from '../../bench/logging-overhead';
import { TrainSampler } from '../../main/data/sampler';
import { initBackend } from '../../main/engine/backends/init';
import { DEFAULT_SEARCH_HYPERPARAMETERS, SearchModel } from '../../main/engine/effconv/search-model';
import { describeNetwork, parseBackbone } from '../../main/engine/models/backbone';
import { fashionMnist } from '../helpers/data';

test('metrics logging costs under 2% of a stage-1 step, and every logged step is a row', async () => {
  await initBackend('wasm');
  const data = fashionMnist();
  const net = describeNetwork(parseBackbone('resnet8'), { height: 28, width: 28, channels: 1 }, 10);
  const sampler = new TrainSampler(data, data.train, 32, 0, { crop: 2, flip: false });
  const batches = [0, 1, 2, 3].map((i) => sampler.batchSync(0, i));
  const model = new SearchModel(net, 60_000, DEFAULT_SEARCH_HYPERPARAMETERS, 0);
  try {
    const r = await measureLoggingOverhead({ model, batches, steps: 12, flushEveryMs: 1000 });
    process.stdout.write(`# logging: ${r.recorderMsPerStep.toFixed(3)} ms of a ${r.stepMs.toFixed(1)} ms step = ${r.overheadPercent.toFixed(3)}% (A/B medians ${r.abPercent.toFixed(2)}%), ${r.commits} commits\n`);
    assert.equal(r.stepRows, 12);
    assert.ok(r.commits >= 1);
    assert.ok(r.overheadPercent < 2, `recording costs ${r.overheadPercent.toFixed(2)}% of a step`);
  } finally {
    model.dispose();
  }
});

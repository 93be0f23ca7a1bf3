// The wasm heap (which never shrinks) stops growing once the working set of a step is there:
// many stage-1 steps whose kernel sizes keep changing, then many stage-2 steps, on real data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { TrainSampler } from '../../../main/data/sampler';
import { initBackend } from '../../../main/engine/backends/init';
import { DEFAULT_SEARCH_HYPERPARAMETERS, SearchModel } from '../../../main/engine/effconv/search-model';
import { describeNetwork, parseBackbone } from '../../../main/engine/models/backbone';
import { PlainModel } from '../../../main/engine/train/plain-model';
import { fashionMnist } from '../../helpers/data';

const heapBytes = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;

/** Size predictor output pinned to v = s on every layer (head weights 0, bias at the inverse). */
function pinSizes(model: SearchModel, s: number): void {
  const { k, tau, b } = model.hyper;
  tf.tidy(() => {
    model.sp.headW.assign(tf.zerosLike(model.sp.headW));
    model.sp.headB.assign(tf.fill(model.sp.headB.shape, tau * (Math.atanh((s - k - 1) / k) - b)));
  });
}

test('the wasm heap stops growing: 3 cycles of stage-1 sizes 3→5→2, then 40 stage-2 steps', async () => {
  await initBackend('wasm');
  const data = fashionMnist();
  const net = describeNetwork(parseBackbone('resnet8'), { height: 28, width: 28, channels: 1 }, 10);
  const sampler = new TrainSampler(data, data.train, 32, 1, { crop: 2, flip: false });
  const search = new SearchModel(net, 80_000, DEFAULT_SEARCH_HYPERPARAMETERS, 1);
  const afterCycle: number[] = [];
  let i = 0;
  for (let cycle = 0; cycle < 3; cycle++) {
    for (const s of [3, 5, 2]) {
      pinSizes(search, s);
      await search.refreshSizes();
      for (let j = 0; j < 4; j++) {
        const m = await search.step(await sampler.batch(0, i++));
        assert.deepEqual(m.hard, net.layers.map(() => s));
        pinSizes(search, s);
        await search.refreshSizes();
      }
    }
    afterCycle.push(heapBytes());
  }
  search.dispose();
  assert.equal(afterCycle[2], afterCycle[1], `heap after each cycle of sizes (MiB): ${afterCycle.map((b) => b / 2 ** 20)}`);
  const plain = new PlainModel(net, [3, 5, 2, 7, 1, 4], 1, { lr: 0.05, momentum: 0.9, weightDecay: 5e-4, nesterov: true });
  for (let j = 0; j < 5; j++) await plain.step(await sampler.batch(1, j), 0.05);
  const warm = heapBytes();
  const tensors = tf.memory().numTensors;
  for (let j = 5; j < 40; j++) await plain.step(await sampler.batch(1, j), 0.05);
  assert.equal(heapBytes(), warm, 'stage-2 steps grow the heap');
  assert.equal(tf.memory().numTensors, tensors, 'stage-2 steps leak tensors');
  plain.dispose();
});

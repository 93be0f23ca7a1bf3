// webgpu over Dawn: a software adapter (SwiftShader from Debian's Chromium) is listed by
// doctor as manual-only, and `--backend webgpu` on it trains with the cpu backend's numbers.
// Skipped where Dawn finds no adapter at all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { doctor, initBackend } from '../../../main/engine/backends/init';
import { probeWebgpu } from '../../../main/engine/backends/probe';
import { TrainSampler } from '../../../main/data/sampler';
import { DEFAULT_SEARCH_HYPERPARAMETERS, SearchModel } from '../../../main/engine/effconv/search-model';
import { describeNetwork, parseBackbone } from '../../../main/engine/models/backbone';
import { PlainModel } from '../../../main/engine/train/plain-model';
import { fashionMnist } from '../../helpers/data';
import { assertClose } from '../../helpers/tensors';

const probe = await probeWebgpu();
const skip = probe.ok ? false : `no WebGPU adapter here: ${probe.reason}`;

const net = describeNetwork(parseBackbone('resnet8'), { height: 28, width: 28, channels: 1 }, 10);

/** Stage-1 loss and gradients on one batch, then two stage-2 steps, on the given backend. */
async function numbers(backend: 'cpu' | 'webgpu') {
  await initBackend(backend);
  const data = fashionMnist();
  const sampler = new TrainSampler(data, data.train, 4, 2, { crop: 2, flip: false });
  const b = await sampler.batch(0, 0);
  const search = new SearchModel(net, 60_000, DEFAULT_SEARCH_HYPERPARAMETERS, 7);
  await search.refreshSizes();
  const x = tf.tensor4d(b.x, [b.size, 28, 28, 1]);
  const y = tf.tensor1d(b.labels, 'int32');
  const { value, grads } = tf.variableGrads(search.lossFn(x, y), search.variables);
  const stage1 = { loss: (await value.data())[0], grads: {} as Record<string, Float32Array> };
  for (const v of search.variables) stage1.grads[v.name.replace(/#\d+$/, '')] = (await grads[v.name].data()) as Float32Array;
  tf.dispose([x, y, value, ...Object.values(grads)]);
  search.dispose();
  const plain = new PlainModel(net, [3, 4, 2, 5, 1, 3], 7, { lr: 0.05, momentum: 0.9, weightDecay: 5e-4, nesterov: true });
  const losses = [];
  for (let i = 0; i < 2; i++) losses.push((await plain.step(await sampler.batch(1, i), 0.05)).loss);
  const weights = await plain.store.snapshot();
  plain.dispose();
  return { stage1, losses, weights };
}

test('doctor lists a software WebGPU adapter as usable on request only', { skip }, async () => {
  const d = await doctor();
  const w = d.backends.find((b) => b.name === 'webgpu')!;
  assert.equal(w.available, true, w.reason);
  if (probe.software) {
    assert.equal(w.manualOnly, true, 'a software adapter is never chosen automatically');
    assert.notEqual(d.auto, 'webgpu');
    assert.match(w.reason, /software adapter/);
  }
});

test('--backend webgpu trains with the cpu backend’s numbers', { skip, timeout: 1_800_000 }, async () => {
  const cpu = await numbers('cpu');
  const gpu = await numbers('webgpu');
  assert.equal(tf.getBackend(), 'webgpu');
  assertClose([gpu.stage1.loss], [cpu.stage1.loss], 1e-5, 'stage-1 loss');
  for (const [name, g] of Object.entries(cpu.stage1.grads)) assertClose(gpu.stage1.grads[name], g, 1e-3, `stage-1 gradient of ${name}`);
  assertClose(gpu.losses, cpu.losses, 1e-4, 'stage-2 losses');
  for (const [name, w] of Object.entries(cpu.weights)) assertClose(gpu.weights[name].data, w.data, 1e-4, `stage-2 ${name} after 2 steps`);
});

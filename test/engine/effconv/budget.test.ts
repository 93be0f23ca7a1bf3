import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../main/engine/backends/init';
import { budgetLoss, hardSizes, paramCountTensor, softSizes, softSizeValue, steRound } from '../../../main/engine/effconv/budget';
import { DEFAULT_SEARCH_HYPERPARAMETERS, SearchModel } from '../../../main/engine/effconv/search-model';
import { describeNetwork, parseBackbone } from '../../../main/engine/models/backbone';
import { fashionMnist } from '../../helpers/data';
import { TrainSampler } from '../../../main/data/sampler';

const nl = { k: 3, tau: 3, b: -0.35 };

test('σ(x) = k·tanh(x/τ + b) + k + 1 maps to (1, 7) and σ(0) ≈ 2.99 with the paper defaults', async () => {
  await initBackend('cpu');
  assert.ok(Math.abs(softSizeValue(0, nl) - (3 * Math.tanh(-0.35) + 4)) < 1e-12);
  assert.ok(Math.abs(softSizeValue(0, nl) - 2.99) < 0.01);
  const v = await tf.tidy(() => softSizes(tf.tensor1d([-100, 0, 100]), nl)).data();
  assert.ok(Math.abs(v[0] - 1) < 1e-5 && Math.abs(v[2] - 7) < 1e-5);
  assert.ok(Math.abs(v[1] - softSizeValue(0, nl)) < 1e-6);
});

test('round() passes gradients straight through, and the host rounding agrees with tf.round (half to even)', async () => {
  await initBackend('cpu');
  const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(steRound(v), tf.tensor1d([2, 3, 5]))));
  assert.deepEqual(Array.from(await g(tf.tensor1d([2.4, 3.6, 4.5])).data()), [2, 3, 5]);
  const soft = [2.5, 3.5, 4.49, 4.51, 6.5];
  assert.deepEqual(Array.from(await tf.round(tf.tensor1d(soft)).data()), hardSizes(soft));
});

test('∂L_param/∂v_l = λ·sign(log p/p_d)·2·c_{l−1}·c_l·s_l / p (hand formula) through the STE', async () => {
  await initBackend('cpu');
  const coef = [256, 512, 4096];
  const pFixed = 1000;
  const v = [2.8, 4.3, 3.1]; // hard 3, 4, 3
  const p = pFixed + 256 * 9 + 512 * 16 + 4096 * 9; // 48,232
  for (const budget of [30_000, 80_000]) {
    const lambda = 2;
    const g = tf.grad((x: tf.Tensor) => tf.mul(budgetLoss(paramCountTensor(pFixed, tf.tensor1d(coef), x as tf.Tensor1D), budget), lambda));
    const got = await g(tf.tensor1d(v)).data();
    const sign = p > budget ? 1 : -1;
    const want = [3, 4, 3].map((s, i) => (lambda * sign * 2 * coef[i] * s) / p);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-6 * Math.abs(want[i]) + 1e-9, `budget ${budget}, layer ${i}: ${got[i]} vs ${want[i]}`);
    const lp = await tf.tidy(() => budgetLoss(paramCountTensor(pFixed, tf.tensor1d(coef), tf.tensor1d(v)), budget)).data();
    assert.ok(Math.abs(lp[0] - Math.abs(Math.log(p / budget))) < 1e-5);
  }
});

test('the full stage-1 loss sends gradients to every size-predictor variable, through the STE and the mask', async () => {
  await initBackend('wasm');
  const data = fashionMnist();
  const net = describeNetwork(parseBackbone('resnet8'), { height: 28, width: 28, channels: 1 }, 10);
  const model = new SearchModel(net, 60_000, DEFAULT_SEARCH_HYPERPARAMETERS, 3);
  await model.refreshSizes();
  const batch = await new TrainSampler(data, data.train, 8, 0, { crop: 0, flip: false }).batch(0, 0);
  const grads = tf.tidy(() => {
    const x = tf.tensor4d(batch.x, [8, 28, 28, 1]);
    const y = tf.tensor1d(batch.labels, 'int32');
    const { grads } = tf.variableGrads(model.lossFn(x, y), model.sp.variables);
    return grads;
  });
  for (const v of model.sp.variables) {
    const g = grads[v.name];
    assert.ok(g, `${v.name} has a gradient`);
    const norm = (await tf.norm(g).data())[0];
    assert.ok(norm > 0 && Number.isFinite(norm), `${v.name}: |grad| = ${norm}`);
  }
  tf.dispose(Object.values(grads));
  model.dispose();
});

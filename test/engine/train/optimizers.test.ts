import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../main/engine/backends/init';
import { AdamW } from '../../../main/engine/train/adamw';
import { cosineLr } from '../../../main/engine/train/schedule';
import { Sgd } from '../../../main/engine/train/sgd';

const near = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('AdamW: two steps match the hand computation (decoupled decay, bias correction)', async () => {
  await initBackend('cpu');
  const p = tf.variable(tf.tensor1d([1.0]));
  const opt = new AdamW([p], { lr: 0.1, weightDecay: 0.01 });
  // step 1, g = 0.5: p ← 1·(1 − 0.001) = 0.999; m = 0.05, v = 0.00025; m̂ = 0.5, v̂ = 0.25;
  //   update = 0.5/(0.5 + 1e-8) ≈ 1 → p = 0.999 − 0.1 = 0.899
  opt.step({ [p.name]: tf.tensor1d([0.5]) });
  near((await p.data())[0], 0.899, 1e-6);
  // step 2, g = −1: p ← 0.899·0.999 = 0.898101; m = 0.9·0.05 − 0.1 = −0.055; v = 0.999·0.00025 + 0.001 = 0.00124975
  //   m̂ = −0.055/0.19 = −0.289474; v̂ = 0.00124975/0.001999 = 0.625188; update = −0.289474/0.790688 = −0.366104
  opt.step({ [p.name]: tf.tensor1d([-1]) });
  near((await p.data())[0], 0.898101 + 0.0366104, 1e-5);
  const s = await opt.getState();
  assert.equal(s.step, 2);
  near(s.slots.m[0][0], -0.055);
  opt.dispose();
});

test('SGD with Nesterov momentum and L2 decay follows PyTorch’s update', async () => {
  await initBackend('cpu');
  const p = tf.variable(tf.tensor1d([2.0]));
  const opt = new Sgd([p], { lr: 0.1, momentum: 0.9, weightDecay: 0.5, nesterov: true });
  // step 1: g = 1 + 0.5·2 = 2; buf = 2; d = 2 + 0.9·2 = 3.8; p = 2 − 0.38 = 1.62
  opt.step({ [p.name]: tf.tensor1d([1]) });
  near((await p.data())[0], 1.62);
  // step 2: g = 1 + 0.81 = 1.81; buf = 1.8 + 1.81 = 3.61; d = 1.81 + 3.249 = 5.059; p = 1.62 − 0.5059 = 1.1141
  opt.step({ [p.name]: tf.tensor1d([1]) });
  near((await p.data())[0], 1.1141, 1e-5);
  opt.dispose();
});

test('cosine schedule: lr0 at the start, lr0/2 halfway, 0 at the end', () => {
  assert.equal(cosineLr(0.1, 0, 100), 0.1);
  near(cosineLr(0.1, 50, 100), 0.05);
  near(cosineLr(0.1, 100, 100), 0);
  near(cosineLr(0.1, 25, 100), 0.05 * (1 + Math.SQRT1_2));
});

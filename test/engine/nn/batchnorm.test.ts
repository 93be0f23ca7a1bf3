import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../main/engine/backends/init';
import { batchNormInfer, batchNormTrain, updateRunningStats, BN_EPS } from '../../../main/engine/nn/batchnorm';
import { Rng } from '../../../main/engine/rng';
import { assertClose } from '../../helpers/tensors';

function reference(x: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BN_EPS))), g), b);
}

test('hand-written BN backward equals autodiff through tf.moments (x, γ, β)', async () => {
  await initBackend('cpu');
  const rng = new Rng(5);
  const shape = [4, 5, 3, 6];
  const x = tf.tensor4d(rng.fillNormal(new Float32Array(360), 2), shape as [number, number, number, number]);
  const g = tf.tensor1d(rng.fillNormal(new Float32Array(6), 1));
  const b = tf.tensor1d(rng.fillNormal(new Float32Array(6), 1));
  const w = tf.tensor4d(rng.fillNormal(new Float32Array(360), 1), shape as [number, number, number, number]);
  const loss = (f: (x: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(f(xx as tf.Tensor4D, gg, bb), w));
  const ours = tf.grads(loss((a, c, d) => batchNormTrain(a, c as tf.Tensor1D, d as tf.Tensor1D).y))([x, g, b]);
  const ref = tf.grads(loss(reference))([x, g, b]);
  for (let i = 0; i < 3; i++) assertClose(await ours[i].data(), await ref[i].data(), 1e-4, ['dx', 'dγ', 'dβ'][i]);
  const y = batchNormTrain(x, g as tf.Tensor1D, b as tf.Tensor1D);
  assertClose(await y.y.data(), await reference(x, g, b).data(), 1e-5, 'forward');
  // statistics over N·H·W = 60 values per channel
  assert.equal(y.stats.count, 60);
  const m = tf.moments(x, [0, 1, 2]);
  assertClose(await y.stats.mean.data(), await m.mean.data(), 1e-5, 'mean');
  assertClose(await y.stats.variance.data(), await m.variance.data(), 1e-5, 'variance');
});

test('running statistics follow PyTorch: momentum 0.1 and the unbiased variance (composed on cpu, one kernel on wasm)', async () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    await initBackend(backend);
    // One channel, values 1, 2, 3, 6: mean 3, biased var 3.5, unbiased 14/3.
    const x = tf.tensor4d([1, 2, 3, 6], [1, 2, 2, 1]);
    const rm = tf.variable(tf.zeros([1]), false);
    const rv = tf.variable(tf.ones([1]), false);
    const { stats } = batchNormTrain(x, tf.ones([1]) as tf.Tensor1D, tf.zeros([1]) as tf.Tensor1D);
    updateRunningStats(rm, rv, stats);
    assert.ok(Math.abs((await rm.data())[0] - 0.3) < 1e-6);
    assert.ok(Math.abs((await rv.data())[0] - (0.9 + 0.1 * (14 / 3))) < 1e-6);
    // inference: (x − 0.3)/√(rv+ε)·γ + β
    const y = await batchNormInfer(x, tf.ones([1]) as tf.Tensor1D, tf.zeros([1]) as tf.Tensor1D, rm as unknown as tf.Tensor1D, rv as unknown as tf.Tensor1D).data();
    const sd = Math.sqrt(0.9 + 0.1 * (14 / 3) + BN_EPS);
    assertClose(y, [1, 2, 3, 6].map((v) => (v - 0.3) / sd), 1e-6, 'inference BN');
  }
});

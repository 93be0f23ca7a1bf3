// The step's fused ops on wasm against the unfused tfjs ops on cpu, values and gradients: the
// option-A shortcut (AvgPool 1×1 + PadV2), the softmax cross-entropy (oneHot, logSoftmax, …)
// and the Gaussian mask multiply (the mask's ~10 ops and the multiply).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../main/engine/backends/init';
import { maskKernel } from '../../../main/engine/effconv/search-model';
import { gaussianMask } from '../../../main/engine/effconv/mask';
import { hasEngineKernel, GAUSSIAN_MASK_MUL, SHORTCUT_A, SOFTMAX_CROSS_ENTROPY } from '../../../main/engine/kernels/names';
import { crossEntropy } from '../../../main/engine/nn/cross-entropy';
import { optionAShortcut } from '../../../main/engine/nn/shortcut';
import { Rng } from '../../../main/engine/rng';
import { assertClose } from '../../helpers/tensors';

async function withGrads(backend: 'cpu' | 'wasm', make: (rng: Rng) => tf.Tensor[], f: (...xs: tf.Tensor[]) => tf.Tensor, seed: number) {
  await initBackend(backend);
  const rng = new Rng(seed);
  const inputs = make(rng);
  const y = f(...inputs);
  const w = tf.tensor(rng.fillNormal(new Float32Array(y.size), 1), y.shape);
  const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), w)))(inputs);
  const out = { y: await y.data(), grads: await Promise.all(grads.map((g) => g.data())) };
  tf.dispose([...inputs, y, w, ...grads]);
  return out;
}

function compare(cpu: Awaited<ReturnType<typeof withGrads>>, wasm: typeof cpu, tol: number, what: string): void {
  assertClose(wasm.y, cpu.y, tol, `${what} value`);
  cpu.grads.forEach((g, i) => assertClose(wasm.grads[i], g, tol, `${what} gradient ${i}`));
}

test('the option-A shortcut on wasm equals AvgPool 1×1 + pad on cpu (value and gradient)', async () => {
  await initBackend('wasm');
  assert.ok(hasEngineKernel(SHORTCUT_A));
  for (const [h, ci, co, s] of [[8, 16, 32, 2], [7, 5, 12, 2], [9, 4, 7, 3], [6, 3, 3, 2]]) {
    const make = (rng: Rng) => [tf.tensor4d(rng.fillNormal(new Float32Array(3 * h * h * ci), 1), [3, h, h, ci])];
    const f = (x: tf.Tensor) => optionAShortcut(x as tf.Tensor4D, s, co);
    const composed = (x: tf.Tensor) => {
      const extra = co - ci;
      return tf.pad(tf.avgPool(x as tf.Tensor4D, 1, s, 'valid'), [[0, 0], [0, 0], [0, 0], [extra >> 1, extra - (extra >> 1)]]);
    };
    compare(await withGrads('cpu', make, composed, h), await withGrads('wasm', make, f, h), 0, `h=${h} ${ci}→${co} stride ${s}`);
  }
});

test('the fused softmax cross-entropy on wasm equals oneHot · logSoftmax on cpu (loss and gradient)', async () => {
  await initBackend('wasm');
  assert.ok(hasEngineKernel(SOFTMAX_CROSS_ENTROPY));
  for (const [n, classes, scale] of [[64, 10, 3], [5, 3, 1], [7, 100, 30]]) {
    const labels = Array.from({ length: n }, (_, i) => (i * 7) % classes);
    const make = (rng: Rng) => [tf.tensor2d(rng.fillNormal(new Float32Array(n * classes), scale), [n, classes])];
    const f = (z: tf.Tensor) => crossEntropy(z as tf.Tensor2D, tf.tensor1d(labels, 'int32'), classes);
    const composed = (z: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(tf.tensor1d(labels, 'int32'), classes), tf.logSoftmax(z)), 1)));
    compare(await withGrads('cpu', make, composed, n), await withGrads('wasm', make, f, n), 1e-5, `${n}×${classes} (logits ×${scale})`);
  }
  await initBackend('wasm');
  assert.throws(() => crossEntropy(tf.zeros([2, 3]) as tf.Tensor2D, tf.tensor1d([0, 3], 'int32'), 3), /label 3 outside 0…2/);
});

test('the fused Gaussian mask multiply on wasm equals the mask’s ops and a multiply on cpu (w ⊙ m(v), ∂w, ∂v)', async () => {
  await initBackend('wasm');
  assert.ok(hasEngineKernel(GAUSSIAN_MASK_MUL));
  for (const [s, v, ci, co] of [[3, 2.99, 16, 16], [1, 1.2, 3, 5], [4, 3.7, 5, 7], [7, 6.6, 8, 4]]) {
    const make = (rng: Rng) => [tf.tensor4d(rng.fillNormal(new Float32Array(s * s * ci * co), 1), [s, s, ci, co]), tf.scalar(v)];
    const f = (w: tf.Tensor, vv: tf.Tensor) => maskKernel(w as tf.Tensor4D, vv, s);
    const composed = (w: tf.Tensor, vv: tf.Tensor) => tf.mul(w, tf.reshape(gaussianMask(vv, s), [s, s, 1, 1]));
    compare(await withGrads('cpu', make, composed, s), await withGrads('wasm', make, f, s), 1e-5, `s=${s} v=${v} ${ci}→${co}`);
  }
});

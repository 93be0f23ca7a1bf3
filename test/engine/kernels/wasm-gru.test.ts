// The fused GRU sequence on wasm (one native call forward, one backward through time) against
// the per-step tfjs ops on the cpu backend: states and gradients of the input projections,
// weights and biases, for the kernel predictor's shape (many GRUs, the same input every step)
// and the size predictor's (one GRU, an input per step).
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../main/engine/backends/init';
import { gruSequence } from '../../../main/engine/effconv/gru';
import { Rng } from '../../../main/engine/rng';
import { assertClose } from '../../helpers/tensors';

async function gruOn(backend: 'cpu' | 'wasm', batch: number, tx: number, steps: number, hidden: number) {
  await initBackend(backend);
  const rng = new Rng(batch * 100 + steps);
  const n3 = 3 * hidden;
  const x = tf.tensor3d(rng.fillNormal(new Float32Array(batch * tx * n3), 1), [batch, tx, n3]);
  const w = tf.tensor3d(rng.fillNormal(new Float32Array(batch * hidden * n3), 0.3), [batch, hidden, n3]);
  const b = tf.tensor3d(rng.fillNormal(new Float32Array(batch * n3), 0.5), [batch, 1, n3]);
  const r = tf.tensor3d(rng.fillNormal(new Float32Array(steps * batch * hidden), 1), [steps, batch, hidden]);
  const hs = gruSequence(x, w, b, steps);
  const grads = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(gruSequence(a as tf.Tensor3D, c as tf.Tensor3D, d as tf.Tensor3D, steps), r)))([x, w, b]);
  const out = { hs: await hs.data(), dx: await grads[0].data(), dw: await grads[1].data(), db: await grads[2].data() };
  tf.dispose([x, w, b, r, hs, ...grads]);
  return out;
}

test('the fused GRU sequence on wasm equals per-step ops on cpu (states and all gradients)', async () => {
  for (const [batch, tx, steps, hidden] of [[18, 1, 25, 64], [6, 1, 1, 16], [1, 18, 18, 64], [3, 7, 7, 6]]) {
    const cpu = await gruOn('cpu', batch, tx, steps, hidden);
    const wasm = await gruOn('wasm', batch, tx, steps, hidden);
    for (const k of ['hs', 'dx', 'dw', 'db'] as const) assertClose(wasm[k], cpu[k], 1e-5, `B=${batch} Tx=${tx} T=${steps} h=${hidden}: ${k}`);
  }
});

// One GRU step in PyTorch's gate convention (chunks r, z, n of the 3h projections):
//   r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r ⊙ hn), h' = (1 − z) ⊙ n + z ⊙ h
// xProj and hProj are the input and hidden projections with their biases, shape [..., 3h].
import * as tf from '@tensorflow/tfjs-core';
import { GRU_SEQUENCE, GRU_SEQUENCE_GRAD, hasEngineKernel } from '../kernels/names';

export function gruCell(xProj: tf.Tensor, hProj: tf.Tensor, h: tf.Tensor, hidden: number): tf.Tensor {
  const axis = xProj.rank - 1;
  const [xr, xz, xn] = tf.split(xProj, [hidden, hidden, hidden], axis);
  const [hr, hz, hn] = tf.split(hProj, [hidden, hidden, hidden], axis);
  const r = tf.sigmoid(tf.add(xr, hr));
  const z = tf.sigmoid(tf.add(xz, hz));
  const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
  // (1 − z)·n + z·h = n + z·(h − n)
  return tf.add(n, tf.mul(z, tf.sub(h, n)));
}

/**
 * B GRUs run for `steps` steps from h₀ = 0, states stacked as [steps, B, h].
 * xProj: input projections with their bias, [B, steps, 3h] or [B, 1, 3h] (the same input at
 * every step); wHh [B, h, 3h]; bHh [B, 1, 3h]. With the engine's fused kernels (wasm) the
 * sequence is one kernel forward and one backward; elsewhere a loop of gruCell steps.
 */
export function gruSequence(xProj: tf.Tensor3D, wHh: tf.Tensor3D, bHh: tf.Tensor3D, steps: number): tf.Tensor3D {
  const [batch, , n3] = xProj.shape;
  const hidden = n3 / 3;
  if (hasEngineKernel(GRU_SEQUENCE) && hasEngineKernel(GRU_SEQUENCE_GRAD)) {
    const tx = xProj.shape[1];
    const op = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
      const [hs, gates] = tf.engine().runKernel(GRU_SEQUENCE, { x, whh: w, bhh: b }, { steps }) as tf.Tensor[];
      save([hs, gates, w]);
      return {
        value: hs,
        gradFunc: (dhs: tf.Tensor, [hsS, gatesS, wS]: tf.Tensor[]) =>
          tf.engine().runKernel(GRU_SEQUENCE_GRAD, { dhs, hs: hsS, gates: gatesS, whh: wS }, { tx }) as tf.Tensor[],
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return op(xProj, wHh, bHh) as tf.Tensor3D;
  }
  const constant = xProj.shape[1] === 1;
  const xs = constant ? [] : tf.unstack(xProj, 1).map((x) => tf.reshape(x, [batch, 1, n3]));
  let state: tf.Tensor = tf.fill([batch, 1, hidden], 0); // on the device (tf.zeros uploads a host array)
  const outs: tf.Tensor[] = [];
  for (let t = 0; t < steps; t++) {
    const hProj = tf.add(tf.matMul(state, wHh), bHh); // [B, 1, 3h]
    state = gruCell(constant ? xProj : xs[t], hProj, state, hidden);
    outs.push(state);
  }
  return tf.reshape(tf.stack(outs), [steps, batch, hidden]) as tf.Tensor3D;
}

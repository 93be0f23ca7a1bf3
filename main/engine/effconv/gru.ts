// One GRU step in PyTorch's gate convention (chunks r, z, n of the 3h projections):
//   r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r ⊙ hn), h' = (1 − z) ⊙ n + z ⊙ h
// xProj and hProj are the input and hidden projections with their biases, shape [..., 3h].
import * as tf from '@tensorflow/tfjs-core';

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

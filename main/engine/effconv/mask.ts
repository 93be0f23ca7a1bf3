// The Gaussian mask of METHOD.md, parameterised by the soft size v so the loss is
// differentiable in v:  m(i,j) = exp(−((i−½−c)² + (j−½−c)²) / v²), c = v/2, i,j = 1..s.
// Pixel centres (i − ½) keep the mask symmetric about the kernel centre when v ≈ s.
import * as tf from '@tensorflow/tfjs-core';

/** Pixel centres 0.5 … s−0.5, made once per backend and size (no upload inside a step). */
const centresCache = new Map<string, tf.Tensor1D>();

function pixelCentres(s: number): tf.Tensor1D {
  const key = `${tf.getBackend()}:${s}`;
  let c = centresCache.get(key);
  if (!c || c.isDisposed) {
    c = tf.keep(tf.tensor1d(Array.from({ length: s }, (_, i) => i + 0.5)));
    centresCache.set(key, c);
  }
  return c;
}

/** v: scalar soft size (a tensor, so gradients reach it); s: the hard size. Returns [s, s]. */
export function gaussianMask(v: tf.Tensor, s: number): tf.Tensor2D {
  const centres = pixelCentres(s);
  const d = tf.square(tf.sub(centres, tf.div(v, 2))); // [s]
  const sum = tf.add(tf.reshape(d, [s, 1]), tf.reshape(d, [1, s])); // [s, s]
  return tf.exp(tf.neg(tf.div(sum, tf.square(v)))) as tf.Tensor2D;
}

/** Host-side reference values of the same mask, for tests and figures. */
export function gaussianMaskValues(v: number, s: number): number[][] {
  const c = v / 2;
  const rows: number[][] = [];
  for (let i = 1; i <= s; i++) {
    const row: number[] = [];
    for (let j = 1; j <= s; j++) row.push(Math.exp(-((i - 0.5 - c) ** 2 + (j - 0.5 - c) ** 2) / (v * v)));
    rows.push(row);
  }
  return rows;
}

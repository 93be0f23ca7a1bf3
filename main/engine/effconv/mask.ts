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

/**
 * The mask and its derivative in v, tap by tap (row-major, s² each), in double: what the
 * fused kernel (kernels/wasm/mask-mul.ts) applies. With a = i−½−v/2, b = j−½−v/2, E = a² + b²:
 * m = exp(−E/v²), ∂m/∂v = m·((a + b)/v² + 2E/v³).
 */
export function gaussianMaskWithDerivative(v: number, s: number): { m: Float64Array; dm: Float64Array } {
  const m = new Float64Array(s * s);
  const dm = new Float64Array(s * s);
  for (let i = 0; i < s; i++) {
    const a = i + 0.5 - v / 2;
    for (let j = 0; j < s; j++) {
      const b = j + 0.5 - v / 2;
      const e = a * a + b * b;
      const t = i * s + j;
      m[t] = Math.exp(-e / (v * v));
      dm[t] = m[t] * ((a + b) / (v * v) + (2 * e) / (v * v * v));
    }
  }
  return { m, dm };
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

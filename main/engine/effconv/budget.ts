// Size non-linearity, straight-through rounding and the parameter-budget loss.
//   v = k·tanh(x/τ + b) + k + 1,   s = round(v) with ∂s/∂v := 1,
//   p = p_fixed + Σ c_{l-1}·c_l·s_l²,   L_param = |log(p / p_d)|
import * as tf from '@tensorflow/tfjs-core';

export interface SizeNonlinearity {
  k: number;
  tau: number;
  b: number;
}

export function softSizes(x: tf.Tensor, nl: SizeNonlinearity): tf.Tensor {
  return tf.add(tf.mul(tf.tanh(tf.add(tf.div(x, nl.tau), nl.b)), nl.k), nl.k + 1);
}

/** Host mirror of softSizes, to find x for a wanted v (tests) and to document the range. */
export function softSizeValue(x: number, nl: SizeNonlinearity): number {
  return nl.k * Math.tanh(x / nl.tau + nl.b) + nl.k + 1;
}

/** round() forward, identity backward (the straight-through estimator). */
export const steRound = tf.customGrad(((v: tf.Tensor) => ({
  value: tf.round(v),
  gradFunc: (dy: tf.Tensor) => dy,
})) as unknown as Parameters<typeof tf.customGrad>[0]) as (v: tf.Tensor) => tf.Tensor;

/** p as a differentiable scalar: coefficients c_{l-1}·c_l per layer, sizes through the STE. */
export function paramCountTensor(pFixed: number, coefficients: tf.Tensor1D, v: tf.Tensor1D): tf.Scalar {
  const s = steRound(v);
  return tf.add(tf.sum(tf.mul(coefficients, tf.square(s))), pFixed) as tf.Scalar;
}

export function budgetLoss(p: tf.Scalar, budget: number): tf.Scalar {
  return tf.abs(tf.sub(tf.log(p), Math.log(budget))) as tf.Scalar;
}

/** The hard size of each layer as the host computes it from the soft sizes it read back. */
export function hardSizes(soft: ArrayLike<number>): number[] {
  return Array.from(soft, roundHalfEven);
}

/** tf.round rounds half to even; the host must agree so shapes match the traced sizes. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5) return 2 * Math.round(x / 2);
  return r;
}

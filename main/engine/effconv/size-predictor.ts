// f_sp: a fixed random input sequence z ∈ R^{L×d}, a GRU over the L layers, and a per-layer
// linear head h → 1 giving x_l; v = σ(x) through the size non-linearity.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng';
import { uniformFan } from '../models/param-store';
import { makeVariable } from '../nn/variables';
import { gruSequence } from './gru';
import { softSizes, type SizeNonlinearity } from './budget';

export class SizePredictor {
  readonly layers: number;
  readonly hidden: number;
  /** Fixed input sequence (not trained). */
  readonly z: tf.Tensor2D;
  readonly wIh: tf.Variable; // [d, 3h]
  readonly wHh: tf.Variable; // [h, 3h]
  readonly bIh: tf.Variable; // [3h]
  readonly bHh: tf.Variable; // [3h]
  readonly headW: tf.Variable; // [L, h]
  readonly headB: tf.Variable; // [L]

  constructor(layers: number, hidden: number, rng: Rng, readonly nl: SizeNonlinearity) {
    this.layers = layers;
    this.hidden = hidden;
    const d = hidden;
    this.z = tf.tensor2d(rng.fillNormal(new Float32Array(layers * d), 1), [layers, d]);
    const v = (name: string, t: tf.Tensor) => makeVariable(`sp.${name}`, t);
    this.wIh = v('w_ih', uniformFan(rng, [d, 3 * hidden], hidden));
    this.wHh = v('w_hh', uniformFan(rng, [hidden, 3 * hidden], hidden));
    this.bIh = v('b_ih', uniformFan(rng, [3 * hidden], hidden));
    this.bHh = v('b_hh', uniformFan(rng, [3 * hidden], hidden));
    // A head 10× smaller than PyTorch's default keeps every initial v within ±0.05 of
    // σ(0) = 2.99 (METHOD.md: "initial v ≈ 3"), so the search starts from the 3×3 baseline.
    this.headW = v('head_w', tf.tidy(() => tf.mul(uniformFan(rng, [layers, hidden], hidden), 0.1)));
    this.headB = v('head_b', tf.zeros([layers]));
  }

  get variables(): tf.Variable[] {
    return [this.wIh, this.wHh, this.bIh, this.bHh, this.headW, this.headB];
  }

  /** Raw head outputs x_l, [L]. */
  logits(): tf.Tensor1D {
    const h = this.hidden;
    const L = this.layers;
    const xProj = tf.reshape(tf.add(tf.matMul(this.z, this.wIh), this.bIh), [1, L, 3 * h]) as tf.Tensor3D; // all steps at once
    const hs = gruSequence(xProj, tf.reshape(this.wHh, [1, h, 3 * h]), tf.reshape(this.bHh, [1, 1, 3 * h]), L); // [L, 1, h]
    return tf.add(tf.sum(tf.mul(tf.reshape(hs, [L, h]), this.headW), 1), this.headB) as tf.Tensor1D;
  }

  /** Soft sizes v, [L]. */
  forward(): tf.Tensor1D {
    return softSizes(this.logits(), this.nl) as tf.Tensor1D;
  }

  dispose(): void {
    this.z.dispose();
    for (const v of this.variables) v.dispose();
  }
}

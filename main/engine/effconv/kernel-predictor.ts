// f_kp: one GRU per searched layer with a constant input z'_l, run for s_l² steps; step t
// gives the c_{l-1}·c_l weights of kernel position t (row-major) through the layer's head.
// All layers' GRUs advance together: one step is a batched matMul plus a few elementwise
// ops on [L, h], so the cost per step does not grow with depth.
import * as tf from '@tensorflow/tfjs-core';
import type { NetworkSpec } from '../models/backbone';
import { uniformFan } from '../models/param-store';
import { makeVariable } from '../nn/variables';
import type { Rng } from '../rng';
import { gruSequence } from './gru';

export class KernelPredictor {
  readonly layers: number;
  readonly hidden: number;
  readonly shapes: { in: number; out: number }[];
  /** Constant per-layer inputs z'_l (fixed, not trained), [L, 1, d]. */
  readonly z: tf.Tensor3D;
  readonly wIh: tf.Variable; // [L, d, 3h]
  readonly wHh: tf.Variable; // [L, h, 3h]
  readonly bIh: tf.Variable; // [L, 1, 3h]
  readonly bHh: tf.Variable; // [L, 1, 3h]
  readonly headW: tf.Variable[]; // per layer [h, in·out]
  readonly headB: tf.Variable[]; // per layer [in·out]

  constructor(net: NetworkSpec, hidden: number, rng: Rng) {
    const L = net.layers.length;
    const d = hidden;
    this.layers = L;
    this.hidden = hidden;
    this.shapes = net.layers.map((l) => ({ in: l.in, out: l.out }));
    this.z = tf.tensor3d(rng.fillNormal(new Float32Array(L * d), 1), [L, 1, d]);
    this.wIh = makeVariable('kp.w_ih', uniformFan(rng, [L, d, 3 * hidden], hidden));
    this.wHh = makeVariable('kp.w_hh', uniformFan(rng, [L, hidden, 3 * hidden], hidden));
    this.bIh = makeVariable('kp.b_ih', uniformFan(rng, [L, 1, 3 * hidden], hidden));
    this.bHh = makeVariable('kp.b_hh', uniformFan(rng, [L, 1, 3 * hidden], hidden));
    this.headW = net.layers.map((l) => makeVariable(`kp.${l.name}.head_w`, uniformFan(rng, [hidden, l.in * l.out], hidden)));
    this.headB = net.layers.map((l) => makeVariable(`kp.${l.name}.head_b`, uniformFan(rng, [l.in * l.out], hidden)));
  }

  get variables(): tf.Variable[] {
    return [this.wIh, this.wHh, this.bIh, this.bHh, ...this.headW, ...this.headB];
  }

  /** Hidden states of every layer's GRU for steps 1..T, stacked as [T, L, h]. */
  hiddenStates(steps: number): tf.Tensor3D {
    const xProj = tf.add(tf.matMul(this.z, this.wIh), this.bIh) as tf.Tensor3D; // [L, 1, 3h], constant over time
    return gruSequence(xProj, this.wHh as unknown as tf.Tensor3D, this.bHh as unknown as tf.Tensor3D, steps);
  }

  /** Predicted kernels ŵ_l, [s_l, s_l, in, out], for the given hard sizes. */
  forward(sizes: readonly number[]): tf.Tensor4D[] {
    const T = Math.max(...sizes.map((s) => s * s));
    // One unstack into per-layer [T, h] (its gradient is one stack) rather than a slice of the
    // whole [T, L, h] per layer (each slice's gradient would pad back to [T, L, h]).
    const perLayer = tf.unstack(this.hiddenStates(T), 1);
    return sizes.map((s, l) => {
      const { in: cin, out: cout } = this.shapes[l];
      const rows = s * s === T ? perLayer[l] : tf.slice(perLayer[l], [0, 0], [s * s, this.hidden]);
      const w = tf.add(tf.matMul(rows, this.headW[l]), this.headB[l]); // [s², in·out]
      return tf.reshape(w, [s, s, cin, cout]) as tf.Tensor4D;
    });
  }

  dispose(): void {
    this.z.dispose();
    for (const v of this.variables) v.dispose();
  }
}

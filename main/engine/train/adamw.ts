// AdamW (Loshchilov & Hutter) with PyTorch's update order: decoupled decay first, then the
// bias-corrected Adam step.  p ← p·(1 − lr·wd);  p ← p − lr·m̂ / (√v̂ + ε)
import * as tf from '@tensorflow/tfjs-core';
import { ADAMW_UPDATE, hasEngineKernel } from '../kernels/names';
import type { OptimizerState } from './optimizer-state';
import { exportSlots, importSlots, runFusedUpdate } from './optimizer-state';

export interface AdamWOptions {
  lr: number;
  weightDecay: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export class AdamW {
  readonly vars: tf.Variable[];
  lr: number;
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private t = 0;
  private m: tf.Variable[];
  private v: tf.Variable[];

  constructor(vars: tf.Variable[], o: AdamWOptions) {
    this.vars = vars;
    this.lr = o.lr;
    this.weightDecay = o.weightDecay;
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.eps = o.eps ?? 1e-8;
    // In tidy: the zeros a variable is made from would otherwise outlive it (a tensor per slot).
    this.m = vars.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    this.v = vars.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
  }

  get steps(): number {
    return this.t;
  }

  /** grads is keyed by variable name (as tf.variableGrads returns it); missing grads are skipped. */
  step(grads: Record<string, tf.Tensor>): void {
    this.t += 1;
    if (hasEngineKernel(ADAMW_UPDATE)) this.stepFused(grads);
    else this.stepOps(grads);
  }

  /** One kernel for the whole group (wasm). */
  private stepFused(grads: Record<string, tf.Tensor>): void {
    const { beta1, beta2, eps, lr, weightDecay } = this;
    runFusedUpdate(ADAMW_UPDATE, this.vars, grads, { m: this.m, v: this.v }, { lr, weightDecay, beta1, beta2, eps, step: this.t });
  }

  private stepOps(grads: Record<string, tf.Tensor>): void {
    const { beta1: b1, beta2: b2, eps, lr, weightDecay: wd } = this;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    tf.tidy(() => {
      this.vars.forEach((p, i) => {
        const g = grads[p.name];
        if (!g) return;
        const m = tf.add(tf.mul(this.m[i], b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(this.v[i], b2), tf.mul(tf.square(g), 1 - b2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const denom = tf.add(tf.sqrt(tf.div(v, c2)), eps);
        const update = tf.div(tf.div(m, c1), denom);
        p.assign(tf.sub(tf.mul(p, 1 - lr * wd), tf.mul(update, lr)));
      });
    });
  }

  async getState(): Promise<OptimizerState> {
    return { kind: 'adamw', step: this.t, slots: { m: await exportSlots(this.m), v: await exportSlots(this.v) } };
  }

  setState(s: OptimizerState): void {
    if (s.kind !== 'adamw') throw new Error(`optimizer state is ${s.kind}, expected adamw`);
    this.t = s.step;
    importSlots(this.m, s.slots.m);
    importSlots(this.v, s.slots.v);
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}

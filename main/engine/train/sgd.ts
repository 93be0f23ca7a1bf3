// SGD with Nesterov momentum and L2 weight decay, in PyTorch's form:
//   g ← g + wd·p;  buf ← μ·buf + g;  g ← g + μ·buf;  p ← p − lr·g
import * as tf from '@tensorflow/tfjs-core';
import { hasEngineKernel, SGD_UPDATE } from '../kernels/names';
import type { OptimizerState } from './optimizer-state';
import { exportSlots, importSlots } from './optimizer-state';

export interface SgdOptions {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
}

export class Sgd {
  readonly vars: tf.Variable[];
  lr: number;
  readonly o: SgdOptions;
  private t = 0;
  private buf: tf.Variable[];

  constructor(vars: tf.Variable[], o: SgdOptions) {
    this.vars = vars;
    this.o = o;
    this.lr = o.lr;
    this.buf = vars.map((p) => tf.variable(tf.zerosLike(p), false));
  }

  get steps(): number {
    return this.t;
  }

  step(grads: Record<string, tf.Tensor>): void {
    this.t += 1;
    if (hasEngineKernel(SGD_UPDATE)) this.stepFused(grads);
    else this.stepOps(grads);
  }

  /** One kernel for all parameters (wasm). */
  private stepFused(grads: Record<string, tf.Tensor>): void {
    const inputs: tf.NamedTensorMap = {};
    const updated: number[] = [];
    this.vars.forEach((p, i) => {
      const g = grads[p.name];
      if (!g) return;
      const k = updated.length;
      Object.assign(inputs, { [`p${k}`]: p, [`g${k}`]: g, [`b${k}`]: this.buf[i] });
      updated.push(i);
    });
    if (updated.length === 0) return;
    const { momentum, weightDecay, nesterov } = this.o;
    const attrs = { count: updated.length, lr: this.lr, momentum, weightDecay, nesterov };
    const out = tf.engine().runKernel(SGD_UPDATE, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    updated.forEach((i, k) => {
      this.vars[i].assign(out[2 * k]);
      this.buf[i].assign(out[2 * k + 1]);
    });
    tf.dispose(out);
  }

  private stepOps(grads: Record<string, tf.Tensor>): void {
    const { momentum: mu, weightDecay: wd, nesterov } = this.o;
    const lr = this.lr;
    tf.tidy(() => {
      this.vars.forEach((p, i) => {
        let g = grads[p.name];
        if (!g) return;
        if (wd !== 0) g = tf.add(g, tf.mul(p, wd));
        const b = tf.add(tf.mul(this.buf[i], mu), g);
        this.buf[i].assign(b);
        const d = nesterov ? tf.add(g, tf.mul(b, mu)) : b;
        p.assign(tf.sub(p, tf.mul(d, lr)));
      });
    });
  }

  async getState(): Promise<OptimizerState> {
    return { kind: 'sgd', step: this.t, slots: { buf: await exportSlots(this.buf) } };
  }

  setState(s: OptimizerState): void {
    if (s.kind !== 'sgd') throw new Error(`optimizer state is ${s.kind}, expected sgd`);
    this.t = s.step;
    importSlots(this.buf, s.slots.buf);
  }

  dispose(): void {
    for (const t of this.buf) t.dispose();
  }
}

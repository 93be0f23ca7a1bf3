// SGD with Nesterov momentum and L2 weight decay, in PyTorch's form:
//   g ← g + wd·p;  buf ← μ·buf + g;  g ← g + μ·buf;  p ← p − lr·g
import * as tf from '@tensorflow/tfjs-core';
import { hasEngineKernel, SGD_UPDATE } from '../kernels/names';
import type { OptimizerState } from './optimizer-state';
import { exportSlots, importSlots, runFusedUpdate } from './optimizer-state';

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
    // In tidy: the zeros a variable is made from would otherwise outlive it (a tensor per slot).
    this.buf = vars.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
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
    const { momentum, weightDecay, nesterov } = this.o;
    runFusedUpdate(SGD_UPDATE, this.vars, grads, { b: this.buf }, { lr: this.lr, momentum, weightDecay, nesterov });
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

// Stage 2: the plain CNN with the learned sizes, fresh He initialisation, SGD with Nesterov
// momentum, and evaluation with BN running statistics.
import * as tf from '@tensorflow/tfjs-core';
import type { NetworkSpec } from '../models/backbone';
import { crossEntropy, forwardCnn } from '../models/cnn';
import { initFixedParams, initSearchedConvs, type ParamStore } from '../models/param-store';
import { updateRunningStats, type BatchStats } from '../nn/batchnorm';
import { Rng } from '../rng';
import type { Batch, EvalBatches } from './batch-source';
import type { OptimizerState } from './optimizer-state';
import { Sgd, type SgdOptions } from './sgd';

export interface EvalResult {
  top1: number;
  top5: number | null;
  loss: number;
  count: number;
}

export interface PlainModelState {
  params: Record<string, { shape: number[]; data: Float32Array }>;
  optimizer: OptimizerState;
}

export class PlainModel {
  readonly net: NetworkSpec;
  readonly sizes: number[];
  readonly store: ParamStore;
  readonly sgd: Sgd;

  constructor(net: NetworkSpec, sizes: readonly number[], seed: number, sgd: SgdOptions) {
    this.net = net;
    this.sizes = sizes.slice();
    const rng = new Rng(seed);
    this.store = initFixedParams(net, rng.fork());
    initSearchedConvs(net, this.sizes, rng.fork(), this.store);
    this.sgd = new Sgd([...this.store.trainable.values()], sgd);
  }

  private weights = (i: number): tf.Tensor4D => this.store.get(`${this.net.layers[i].name}.weight`) as tf.Tensor4D;

  logits(x: tf.Tensor4D, training: boolean, stats?: Map<string, BatchStats>): tf.Tensor2D {
    return forwardCnn(this.net, this.store, this.weights, x, { training, stats });
  }

  /** One SGD step at learning rate lr; returns the batch loss and accuracy. */
  async step(batch: Batch, lr: number): Promise<{ loss: number; acc: number }> {
    const { height, width, channels } = this.net.input;
    this.sgd.lr = lr;
    const stats = new Map<string, BatchStats>();
    const out = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.size, height, width, channels]);
      const y = tf.tensor1d(batch.labels, 'int32');
      let correct: tf.Tensor | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const logits = this.logits(x, true, stats);
        correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32')));
        return crossEntropy(logits, y, this.net.classes);
      }, [...this.store.trainable.values()]);
      this.sgd.step(grads);
      const kept = correct as tf.Tensor | null;
      const both = tf.stack([value, kept!]);
      kept!.dispose(); // kept inside the gradient scope, so no tidy frees it
      return both;
    });
    for (const [name, s] of stats) {
      updateRunningStats(this.store.get(`${name}.running_mean`), this.store.get(`${name}.running_var`), s);
    }
    const [loss, correct] = await out.data();
    out.dispose();
    return { loss, acc: correct / batch.size };
  }

  async evaluate(data: EvalBatches, batchSize = 256): Promise<EvalResult> {
    const { height, width, channels } = this.net.input;
    const k = Math.min(5, this.net.classes);
    let top1 = 0;
    let top5 = 0;
    let lossSum = 0;
    let count = 0;
    for await (const batch of data.batches(batchSize)) {
      const r = tf.tidy(() => {
        const x = tf.tensor4d(batch.x, [batch.size, height, width, channels]);
        const y = tf.tensor1d(batch.labels, 'int32');
        const logits = this.logits(x, false);
        const loss = tf.mul(crossEntropy(logits, y, this.net.classes), batch.size);
        const { indices } = tf.topk(logits, k);
        const hits = tf.cast(tf.equal(indices, tf.reshape(y, [batch.size, 1])), 'float32');
        const c1 = tf.sum(tf.slice(hits, [0, 0], [batch.size, 1]));
        const c5 = tf.sum(hits);
        return tf.stack([loss, c1, c5]);
      });
      const [l, c1, c5] = await r.data();
      r.dispose();
      lossSum += l;
      top1 += c1;
      top5 += c5;
      count += batch.size;
    }
    return { top1: top1 / count, top5: this.net.classes > 5 ? top5 / count : null, loss: lossSum / count, count };
  }

  async getState(): Promise<PlainModelState> {
    return { params: await this.store.snapshot(), optimizer: await this.sgd.getState() };
  }

  setState(s: PlainModelState): void {
    this.store.restore(s.params);
    this.sgd.setState(s.optimizer);
  }

  dispose(): void {
    this.store.dispose();
    this.sgd.dispose();
  }
}

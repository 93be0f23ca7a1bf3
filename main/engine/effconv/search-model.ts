// Stage 1 as one object: size predictor, kernel predictor, the CNN's own parameters, their
// AdamW groups, and the training step of METHOD.md:
//   L = CE + λ·|log(p/p_d)|,  w_l = m_l(v_l) ⊙ f_kp^l(s_l)
import * as tf from '@tensorflow/tfjs-core';
import type { SearchHyperparameters } from '../../contract/config';
import type { NetworkSpec } from '../models/backbone';
import { crossEntropy, forwardCnn } from '../models/cnn';
import { initFixedParams, type ParamStore } from '../models/param-store';
import { fixedParamCount } from '../models/params';
import { baseName } from '../nn/variables';
import { Rng } from '../rng';
import { AdamW } from '../train/adamw';
import type { Batch } from '../train/batch-source';
import type { OptimizerState } from '../train/optimizer-state';
import { budgetLoss, hardSizes, paramCountTensor } from './budget';
import { KernelPredictor } from './kernel-predictor';
import { gaussianMask } from './mask';
import { GAUSSIAN_MASK_MUL, GAUSSIAN_MASK_MUL_GRAD, hasEngineKernel } from '../kernels/names';
import { SizePredictor } from './size-predictor';

export { DEFAULT_SEARCH_HYPERPARAMETERS } from '../../contract/config';

export interface SearchStepMetrics {
  loss: number;
  ce: number;
  lparam: number;
  /** p with the hard sizes used in this step. */
  params: number;
  /** The sizes used in this step. */
  soft: number[];
  hard: number[];
}

export interface SearchModelState {
  params: Record<string, { shape: number[]; data: Float32Array }>;
  optimizers: { sizeAndCnn: OptimizerState; kernel: OptimizerState };
}

export class SearchModel {
  readonly net: NetworkSpec;
  readonly hyper: SearchHyperparameters;
  readonly budget: number;
  readonly sp: SizePredictor;
  readonly kp: KernelPredictor;
  readonly store: ParamStore;
  private readonly optSizeAndCnn: AdamW;
  private readonly optKernel: AdamW;
  private readonly coefficients: tf.Tensor1D;
  private readonly pFixed: number;
  private soft: number[] = [];
  private hard: number[] = [];
  /** The loss closure leaves [ce, lparam, p] here (kept) for the step to read after the update. */
  private pendingMetrics: tf.Tensor | null = null;

  constructor(net: NetworkSpec, budget: number, hyper: SearchHyperparameters, seed: number) {
    this.net = net;
    this.hyper = hyper;
    this.budget = budget;
    const rng = new Rng(seed);
    this.store = initFixedParams(net, rng.fork());
    this.sp = new SizePredictor(net.layers.length, hyper.spHidden, rng.fork(), { k: hyper.k, tau: hyper.tau, b: hyper.b });
    this.kp = new KernelPredictor(net, hyper.kpHidden, rng.fork());
    this.pFixed = fixedParamCount(net);
    this.coefficients = tf.tensor1d(net.layers.map((l) => l.in * l.out));
    this.optSizeAndCnn = new AdamW([...this.sp.variables, ...this.store.trainable.values()], {
      lr: hyper.lrSizePredictor,
      weightDecay: hyper.weightDecay,
    });
    this.optKernel = new AdamW(this.kp.variables, { lr: hyper.lrKernelPredictor, weightDecay: hyper.weightDecay });
  }

  /** Read the size predictor's current soft sizes; they decide the shapes of the next step. */
  async refreshSizes(): Promise<{ soft: number[]; hard: number[] }> {
    const v = tf.tidy(() => this.sp.forward());
    const soft = Array.from(await v.data());
    v.dispose();
    this.soft = soft;
    this.hard = hardSizes(soft);
    return { soft, hard: this.hard };
  }

  get sizes(): { soft: number[]; hard: number[] } {
    return { soft: this.soft.slice(), hard: this.hard.slice() };
  }

  /** The effective kernels w_l = m_l ⊙ ŵ_l at the current sizes (for views and tests). */
  kernels(): tf.Tensor4D[] {
    const hard = this.hard;
    return tf.tidy(() => {
      const v = tf.unstack(this.sp.forward());
      return this.kp.forward(hard).map((w, i) => maskKernel(w, v[i], hard[i]));
    });
  }

  /** The loss of one batch as a function of the trainable variables (for grads and tests). */
  lossFn(x: tf.Tensor4D, labels: tf.Tensor1D): () => tf.Scalar {
    const hard = this.hard;
    return () => {
      const v = this.sp.forward();
      const p = paramCountTensor(this.pFixed, this.coefficients, v);
      const lparam = budgetLoss(p, this.budget);
      const predicted = this.kp.forward(hard);
      const vs = tf.unstack(v);
      const logits = forwardCnn(this.net, this.store, (i) => maskKernel(predicted[i], vs[i], hard[i]), x, { training: true });
      const ce = crossEntropy(logits, labels, this.net.classes);
      this.pendingMetrics?.dispose();
      this.pendingMetrics = tf.keep(tf.stack([ce, lparam, p]));
      return tf.add(ce, tf.mul(lparam, this.hyper.lambda)) as tf.Scalar;
    };
  }

  get variables(): tf.Variable[] {
    return [...this.sp.variables, ...this.kp.variables, ...this.store.trainable.values()];
  }

  async step(batch: Batch): Promise<SearchStepMetrics> {
    if (this.hard.length === 0) await this.refreshSizes();
    const { height, width, channels } = this.net.input;
    const used = this.sizes;
    const loss = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.size, height, width, channels]);
      const y = tf.tensor1d(batch.labels, 'int32');
      const { value, grads } = tf.variableGrads(this.lossFn(x, y), this.variables);
      this.optSizeAndCnn.step(grads);
      this.optKernel.step(grads);
      return value;
    });
    const metrics = this.pendingMetrics!;
    this.pendingMetrics = null;
    const [lossValue] = await loss.data();
    const [ce, lparam] = await metrics.data();
    loss.dispose();
    metrics.dispose();
    await this.refreshSizes();
    const params = this.pFixed + this.net.layers.reduce((a, l, i) => a + l.in * l.out * used.hard[i] ** 2, 0);
    return { loss: lossValue, ce, lparam, params, soft: used.soft, hard: used.hard };
  }

  async getState(): Promise<SearchModelState> {
    const params: SearchModelState['params'] = await this.store.snapshot();
    for (const v of [...this.sp.variables, ...this.kp.variables]) {
      params[baseName(v)] = { shape: v.shape.slice(), data: (await v.data()) as Float32Array };
    }
    return { params, optimizers: { sizeAndCnn: await this.optSizeAndCnn.getState(), kernel: await this.optKernel.getState() } };
  }

  async setState(s: SearchModelState): Promise<void> {
    this.store.restore(s.params);
    for (const v of [...this.sp.variables, ...this.kp.variables]) {
      const key = baseName(v);
      const src = s.params[key];
      if (!src) throw new Error(`checkpoint has no value for ${key}`);
      tf.tidy(() => v.assign(tf.tensor(src.data, v.shape)));
    }
    this.optSizeAndCnn.setState(s.optimizers.sizeAndCnn);
    this.optKernel.setState(s.optimizers.kernel);
    await this.refreshSizes();
  }

  dispose(): void {
    this.sp.dispose();
    this.kp.dispose();
    this.store.dispose();
    this.optSizeAndCnn.dispose();
    this.optKernel.dispose();
    this.coefficients.dispose();
    this.pendingMetrics?.dispose();
  }
}

/** w ⊙ m(v): one engine kernel each way where the backend has it (wasm), else tfjs ops. */
export function maskKernel(w: tf.Tensor4D, v: tf.Tensor, s: number): tf.Tensor4D {
  if (hasEngineKernel(GAUSSIAN_MASK_MUL) && hasEngineKernel(GAUSSIAN_MASK_MUL_GRAD)) {
    const op = tf.customGrad(((wIn: tf.Tensor, vIn: tf.Tensor, save: tf.GradSaveFunc) => {
      save([wIn, vIn]);
      return {
        value: tf.engine().runKernel(GAUSSIAN_MASK_MUL, { w: wIn, v: vIn }, {}) as tf.Tensor,
        gradFunc: (dy: tf.Tensor, [ws, vs]: tf.Tensor[]) => tf.engine().runKernel(GAUSSIAN_MASK_MUL_GRAD, { dy, w: ws, v: vs }, {}) as tf.Tensor[],
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return op(w, v) as tf.Tensor4D;
  }
  return tf.mul(w, tf.reshape(gaussianMask(v, s), [s, s, 1, 1]));
}

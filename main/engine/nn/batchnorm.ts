// Batch normalisation over N,H,W (channels last) with a hand-written backward pass.
// Autodiff through tf.moments + batchNorm spends most of a step in Tile on wasm; the closed
// form below needs three reductions and a few elementwise ops.
import * as tf from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import { BATCH_NORM_GRAD, BATCH_NORM_TRAIN, BN_RUNNING_STATS, hasEngineKernel } from '../kernels/names';

export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1; // PyTorch's convention: running = (1-m)·running + m·batch

export interface BatchStats {
  mean: tf.Tensor1D;
  /** Biased variance (used to normalise); the running estimate uses the unbiased one. */
  variance: tf.Tensor1D;
  /** Values per channel the statistics were taken over (N·H·W). */
  count: number;
}

/** What follows the normalisation, fused into it where the backend has the engine's kernels. */
export interface BatchNormActivation {
  /** A tensor of x's shape added after γ, β (a residual branch). */
  residual?: tf.Tensor4D;
  /** max(0, ·) last. */
  relu?: boolean;
}

/**
 * Normalise x with its batch statistics, apply γ, β, then the optional residual add and ReLU.
 * The batch mean and variance are returned too (kept; the caller disposes them) for the
 * running-statistics update. On a backend with the engine's fused kernels (wasm) forward and
 * backward are one kernel each; elsewhere the same math is composed from tfjs ops.
 */
export function batchNormTrain(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  act: BatchNormActivation = {},
): { y: tf.Tensor4D; stats: BatchStats } {
  if (act.residual && !util.arraysEqual(act.residual.shape, x.shape)) {
    throw new Error(`batch norm residual of shape [${act.residual.shape}] for x of shape [${x.shape}]`);
  }
  if (hasEngineKernel(BATCH_NORM_TRAIN) && hasEngineKernel(BATCH_NORM_GRAD)) return batchNormFused(x, gamma, beta, act);
  const { y, stats } = batchNormComposed(x, gamma, beta);
  let out = act.residual ? tf.add(y, act.residual) : y;
  if (act.relu) out = tf.relu(out);
  return { y: out as tf.Tensor4D, stats };
}

function batchNormFused(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, act: BatchNormActivation): { y: tf.Tensor4D; stats: BatchStats } {
  let stats: BatchStats | null = null;
  const relu = Boolean(act.relu);
  const residual = Boolean(act.residual);
  const op = tf.customGrad(((xIn: tf.Tensor, g: tf.Tensor, b: tf.Tensor, ...rest: unknown[]) => {
    const save = rest[rest.length - 1] as tf.GradSaveFunc;
    const inputs: tf.NamedTensorMap = { x: xIn, gamma: g, beta: b };
    if (residual) inputs.residual = rest[0] as tf.Tensor;
    const [y, mean, variance, invstd] = tf.engine().runKernel(BATCH_NORM_TRAIN, inputs, { epsilon: BN_EPS, relu }) as tf.Tensor[];
    stats = { mean: tf.keep(mean) as tf.Tensor1D, variance: tf.keep(variance) as tf.Tensor1D, count: xIn.size / xIn.shape[xIn.rank - 1] };
    save(relu ? [xIn, mean, invstd, g, y] : [xIn, mean, invstd, g]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [xs, m, inv, gs, ys]: tf.Tensor[]) => {
        const grads: tf.NamedTensorMap = { x: xs, dy, mean: m, invstd: inv, gamma: gs };
        if (relu) grads.y = ys;
        return tf.engine().runKernel(BATCH_NORM_GRAD, grads, { relu, residual }) as tf.Tensor[];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = (act.residual ? op(x, gamma, beta, act.residual) : op(x, gamma, beta)) as tf.Tensor4D;
  if (!stats) throw new Error('batchNormTrain: statistics were not produced');
  return { y, stats };
}

function batchNormComposed(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): { y: tf.Tensor4D; stats: BatchStats } {
  let stats: BatchStats | null = null;
  const op = tf.customGrad(((xIn: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const x4 = xIn as tf.Tensor4D;
    const n = x4.shape[0] * x4.shape[1] * x4.shape[2];
    const mean = tf.mean(x4, [0, 1, 2]);
    const centred = tf.sub(x4, mean);
    const variance = tf.div(tf.sum(tf.square(centred), [0, 1, 2]), n);
    const invStd = tf.rsqrt(tf.add(variance, BN_EPS));
    const xhat = tf.mul(centred, invStd);
    const y = tf.add(tf.mul(xhat, g), b);
    stats = { mean: tf.keep(mean) as tf.Tensor1D, variance: tf.keep(variance) as tf.Tensor1D, count: n };
    save([xhat, invStd, g]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, inv, gm] = saved;
        const dBeta = tf.sum(dy, [0, 1, 2]);
        const dGamma = tf.sum(tf.mul(dy, xh), [0, 1, 2]);
        // dx = γ·inv/N · (N·dy − Σdy − x̂·Σ(dy·x̂))
        const scale = tf.div(tf.mul(gm, inv), n);
        const inner = tf.sub(tf.sub(tf.mul(dy, n), dBeta), tf.mul(xh, dGamma));
        return [tf.mul(inner, scale), dGamma, dBeta];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = op(x, gamma, beta) as tf.Tensor4D;
  if (!stats) throw new Error('batchNormTrain: statistics were not produced');
  return { y, stats };
}

/** Inference-mode BN with running statistics. */
export function batchNormInfer(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  runningMean: tf.Tensor1D,
  runningVar: tf.Tensor1D,
): tf.Tensor4D {
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(runningVar, BN_EPS)));
  const shift = tf.sub(beta, tf.mul(runningMean, scale));
  return tf.add(tf.mul(x, scale), shift);
}

/** running ← (1−m)·running + m·batch, with the unbiased variance as PyTorch does. */
export function updateRunningStats(
  runningMean: tf.Variable,
  runningVar: tf.Variable,
  stats: BatchStats,
): void {
  const count = stats.count;
  if (hasEngineKernel(BN_RUNNING_STATS)) {
    // one kernel instead of seven ops per BN (the step's ~130 small ops after the update)
    tf.tidy(() => {
      const inputs = { runningMean, runningVar, mean: stats.mean, variance: stats.variance };
      const [m, v] = tf.engine().runKernel(BN_RUNNING_STATS, inputs, { momentum: BN_MOMENTUM, count }) as tf.Tensor[];
      runningMean.assign(m);
      runningVar.assign(v);
    });
    stats.mean.dispose();
    stats.variance.dispose();
    return;
  }
  tf.tidy(() => {
    const unbiased = count > 1 ? tf.mul(stats.variance, count / (count - 1)) : stats.variance;
    runningMean.assign(tf.add(tf.mul(runningMean, 1 - BN_MOMENTUM), tf.mul(stats.mean, BN_MOMENTUM)));
    runningVar.assign(tf.add(tf.mul(runningVar, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM)));
  });
  stats.mean.dispose();
  stats.variance.dispose();
}

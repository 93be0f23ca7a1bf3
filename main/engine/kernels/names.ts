// Names of the engine's own kernels (registered per backend in register.ts). Code that can
// use one checks hasEngineKernel() and otherwise composes the same math from tfjs ops.
import { getBackend, getKernel } from '@tensorflow/tfjs-core';

/**
 * inputs {x, gamma, beta, residual?}, attrs {epsilon, relu} → [y, mean, variance (biased), invstd],
 * channels last: y = x̂·γ + β (+ residual), then max(0, ·) if relu.
 */
export const BATCH_NORM_TRAIN = 'EffconvBatchNormTrain';
/**
 * inputs {x, dy, mean, invstd, gamma, y?} (y: the forward output, given when relu), attrs
 * {relu, residual} → [dx, dgamma, dbeta] and, when residual, its gradient.
 */
export const BATCH_NORM_GRAD = 'EffconvBatchNormGrad';
/** inputs {p0, g0, m0, v0, p1, …}, attrs {count, lr, weightDecay, beta1, beta2, eps, step} → [p0', m0', v0', p1', …]. */
export const ADAMW_UPDATE = 'EffconvAdamW';
/** inputs {p0, g0, b0, p1, …}, attrs {count, lr, momentum, weightDecay, nesterov} → [p0', b0', p1', …]. */
export const SGD_UPDATE = 'EffconvSgd';

/**
 * B GRUs for T steps from h₀ = 0: inputs {x [B, Tx, 3h] (Tx = T, or 1 for the same input every
 * step), whh [B, h, 3h], bhh [B, 1, 3h]}, attrs {steps} → [hs [T, B, h], gates [T, B, 4h]].
 */
export const GRU_SEQUENCE = 'EffconvGruSequence';
/** inputs {dhs, hs, gates, whh}, attrs {tx} → [dx [B, Tx, 3h], dwhh, dbhh [B, 1, 3h]]. */
export const GRU_SEQUENCE_GRAD = 'EffconvGruSequenceGrad';

/**
 * The option-A shortcut: inputs {x [N, H, W, ci]}, attrs {stride, channels} → x[:, ::s, ::s, :]
 * zero-padded to `channels` (the extra ones split evenly, the odd one after).
 */
export const SHORTCUT_A = 'EffconvShortcutA';
/** inputs {dy}, attrs {stride, inputShape} → dx. */
export const SHORTCUT_A_GRAD = 'EffconvShortcutAGrad';

/**
 * Mean softmax cross-entropy: inputs {logits [N, C], labels int32 [N]} → [loss (scalar),
 * softmax [N, C]] (the softmax is what the gradient needs).
 */
export const SOFTMAX_CROSS_ENTROPY = 'EffconvSoftmaxCrossEntropy';
/** inputs {softmax, labels, dy (scalar)} → dlogits = (softmax − onehot(labels))·dy/N. */
export const SOFTMAX_CROSS_ENTROPY_GRAD = 'EffconvSoftmaxCrossEntropyGrad';

/**
 * The Gaussian mask applied to a predicted kernel: inputs {w [s, s, ci, co], v (scalar soft
 * size)} → w ⊙ m(v) with m from effconv/mask.ts (one value per tap).
 */
export const GAUSSIAN_MASK_MUL = 'EffconvGaussianMaskMul';
/** inputs {dy, w, v} → [dw, dv]. */
export const GAUSSIAN_MASK_MUL_GRAD = 'EffconvGaussianMaskMulGrad';

/**
 * BN running statistics: inputs {runningMean, runningVar, mean, variance (biased)}, attrs
 * {momentum, count} → [(1−m)·runningMean + m·mean, (1−m)·runningVar + m·variance·count/(count−1)].
 */
export const BN_RUNNING_STATS = 'EffconvBatchNormRunningStats';

export function hasEngineKernel(name: string): boolean {
  return getKernel(name, getBackend()) != null;
}

// Names of the engine's own kernels (registered per backend in register.ts). Code that can
// use one checks hasEngineKernel() and otherwise composes the same math from tfjs ops.
import { getBackend, getKernel } from '@tensorflow/tfjs-core';

/** inputs {x, gamma, beta}, attrs {epsilon} → [y, mean, variance (biased), invstd], channels last. */
export const BATCH_NORM_TRAIN = 'EffconvBatchNormTrain';
/** inputs {x, dy, mean, invstd, gamma} → [dx, dgamma, dbeta]. */
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

export function hasEngineKernel(name: string): boolean {
  return getKernel(name, getBackend()) != null;
}

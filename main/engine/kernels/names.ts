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

export function hasEngineKernel(name: string): boolean {
  return getKernel(name, getBackend()) != null;
}

// Batch-norm training forward and backward on wasm, each one pass-pair of SIMD code over the
// activation instead of a dozen tfjs ops (reductions over N·H·W go through a transpose there).
import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { BATCH_NORM_GRAD, BATCH_NORM_TRAIN } from '../names';
import { asWasm } from './heap';
import { addressOf, nativeKernels } from './native/module';

function channels(x: TensorInfo): { rows: number; c: number } {
  if (x.dtype !== 'float32') throw new Error(`batch norm needs float32, got ${x.dtype}`);
  const c = x.shape[x.shape.length - 1];
  const size = x.shape.reduce((a, b) => a * b, 1);
  return { rows: size / c, c };
}

export const wasmBatchNormTrain: KernelConfig = {
  kernelName: BATCH_NORM_TRAIN,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const b = asWasm(backend as KernelBackend);
    const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
    const { rows, c } = channels(x);
    const k = nativeKernels(b);
    const y = b.makeOutput(x.shape, 'float32');
    const [mean, variance, invstd] = [0, 1, 2].map(() => b.makeOutput([c], 'float32'));
    const scratch = b.makeOutput([2 * c], 'float32');
    const acc = b.makeOutput([2 * c], 'float32'); // c doubles
    const at = (t: TensorInfo) => addressOf(b, t);
    try {
      k.bn_forward(at(x), rows, c, at(gamma), at(beta), (attrs as { epsilon: number }).epsilon, at(y), at(mean), at(variance), at(invstd), at(scratch), at(acc));
    } finally {
      b.disposeData(scratch.dataId);
      b.disposeData(acc.dataId);
    }
    return [y, mean, variance, invstd];
  },
};

export const wasmBatchNormGrad: KernelConfig = {
  kernelName: BATCH_NORM_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const b = asWasm(backend as KernelBackend);
    const { x, dy, mean, invstd, gamma } = inputs as Record<'x' | 'dy' | 'mean' | 'invstd' | 'gamma', TensorInfo>;
    const { rows, c } = channels(x);
    const k = nativeKernels(b);
    const dx = b.makeOutput(x.shape, 'float32');
    const dgamma = b.makeOutput([c], 'float32');
    const dbeta = b.makeOutput([c], 'float32');
    const scratch = b.makeOutput([3 * c], 'float32');
    const acc = b.makeOutput([4 * c], 'float32'); // 2c doubles
    const at = (t: TensorInfo) => addressOf(b, t);
    try {
      k.bn_backward(at(x), at(dy), rows, c, at(mean), at(invstd), at(gamma), at(dx), at(dgamma), at(dbeta), at(scratch), at(acc));
    } finally {
      b.disposeData(scratch.dataId);
      b.disposeData(acc.dataId);
    }
    return [dx, dgamma, dbeta];
  },
};

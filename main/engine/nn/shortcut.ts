// The option-A shortcut of CIFAR ResNets: subsample by the stride, zero-pad the new channels
// evenly on both sides (the odd one after). One engine kernel each way where the backend has
// it (wasm); elsewhere AvgPool 1×1 + pad, whose gradients tfjs provides.
import * as tf from '@tensorflow/tfjs-core';
import { hasEngineKernel, SHORTCUT_A, SHORTCUT_A_GRAD } from '../kernels/names';

export function optionAShortcut(x: tf.Tensor4D, stride: number, channels: number): tf.Tensor4D {
  const extra = channels - x.shape[3];
  if (extra < 0) throw new Error(`option-A shortcut from ${x.shape[3]} to ${channels} channels`);
  if (stride === 1 && extra === 0) return x;
  if (hasEngineKernel(SHORTCUT_A) && hasEngineKernel(SHORTCUT_A_GRAD)) {
    const op = tf.customGrad(((xIn: tf.Tensor) => ({
      value: tf.engine().runKernel(SHORTCUT_A, { x: xIn }, { stride, channels }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor) => tf.engine().runKernel(SHORTCUT_A_GRAD, { dy }, { stride, inputShape: xIn.shape }) as tf.Tensor,
    })) as unknown as Parameters<typeof tf.customGrad>[0]);
    return op(x) as tf.Tensor4D;
  }
  const sub = stride === 1 ? x : tf.avgPool(x, 1, stride, 'valid');
  const before = extra >> 1;
  return tf.pad(sub, [[0, 0], [0, 0], [0, 0], [before, extra - before]]);
}

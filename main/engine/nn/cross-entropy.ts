// Mean softmax cross-entropy of logits against integer labels: one engine kernel each way
// where the backend has them (wasm), else composed from tfjs ops.
import * as tf from '@tensorflow/tfjs-core';
import { hasEngineKernel, SOFTMAX_CROSS_ENTROPY, SOFTMAX_CROSS_ENTROPY_GRAD } from '../kernels/names';

export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, classes: number): tf.Scalar {
  if (logits.shape[1] !== classes) throw new Error(`cross-entropy over ${classes} classes of logits [${logits.shape}]`);
  if (hasEngineKernel(SOFTMAX_CROSS_ENTROPY) && hasEngineKernel(SOFTMAX_CROSS_ENTROPY_GRAD) && labels.dtype === 'int32') {
    // labels are data, not a differentiable input: closed over, not passed to the op
    const op = tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
      const [loss, softmax] = tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY, { logits: z, labels }, {}) as tf.Tensor[];
      save([softmax, labels]); // kept: a tidy around the forward pass may free the caller's labels before the backward one
      return {
        value: loss,
        gradFunc: (dy: tf.Tensor, [p, l]: tf.Tensor[]) => tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY_GRAD, { softmax: p, labels: l, dy }, {}) as tf.Tensor,
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return op(logits) as tf.Scalar;
  }
  const oneHot = tf.oneHot(labels, classes);
  const logp = tf.logSoftmax(logits);
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, logp), 1))) as tf.Scalar;
}

// Mean softmax cross-entropy and its gradient on wasm in one pass each over the logits
// (N×classes: a few hundred values) on heap views, instead of ~20 tfjs ops (oneHot, the
// log-softmax's max/sub/exp/sum/log, mul, sum, mean, neg, and their gradients). Sums in double.
import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { SOFTMAX_CROSS_ENTROPY, SOFTMAX_CROSS_ENTROPY_GRAD } from '../names';
import { asWasm, f32 } from './heap';

function labelsOf(b: ReturnType<typeof asWasm>, labels: TensorInfo, n: number, classes: number): Int32Array {
  if (labels.dtype !== 'int32' || labels.shape.length !== 1 || labels.shape[0] !== n) throw new Error(`cross-entropy labels must be int32 [${n}], got ${labels.dtype} [${labels.shape}]`);
  const l = b.typedArrayFromHeap(labels) as Int32Array;
  for (const v of l) if (v < 0 || v >= classes) throw new Error(`cross-entropy label ${v} outside 0…${classes - 1}`);
  return l;
}

export const wasmSoftmaxCrossEntropy: KernelConfig = {
  kernelName: SOFTMAX_CROSS_ENTROPY,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const b = asWasm(backend as KernelBackend);
    const { logits, labels } = inputs as { logits: TensorInfo; labels: TensorInfo };
    const [n, classes] = logits.shape;
    const loss = b.makeOutput([], 'float32');
    const softmax = b.makeOutput([n, classes], 'float32');
    // views after every allocation (a growing heap detaches earlier ones)
    const z = f32(b, logits);
    const p = f32(b, softmax);
    const l = labelsOf(b, labels, n, classes);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const row = i * classes;
      let max = -Infinity;
      for (let j = 0; j < classes; j++) max = Math.max(max, z[row + j]);
      let sum = 0;
      for (let j = 0; j < classes; j++) sum += Math.exp(z[row + j] - max);
      for (let j = 0; j < classes; j++) p[row + j] = Math.exp(z[row + j] - max) / sum;
      total += max + Math.log(sum) - z[row + l[i]]; // −log softmax of the label
    }
    f32(b, loss)[0] = total / n;
    return [loss, softmax];
  },
};

export const wasmSoftmaxCrossEntropyGrad: KernelConfig = {
  kernelName: SOFTMAX_CROSS_ENTROPY_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const b = asWasm(backend as KernelBackend);
    const { softmax, labels, dy } = inputs as { softmax: TensorInfo; labels: TensorInfo; dy: TensorInfo };
    const [n, classes] = softmax.shape;
    const dx = b.makeOutput([n, classes], 'float32');
    const p = f32(b, softmax);
    const d = f32(b, dx);
    const l = labelsOf(b, labels, n, classes);
    const k = f32(b, dy)[0] / n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < classes; j++) d[i * classes + j] = (p[i * classes + j] - (j === l[i] ? 1 : 0)) * k;
    }
    return dx;
  },
};

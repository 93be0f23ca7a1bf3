// Our kernels, one list per backend, registered when that backend is initialised. A kernel
// that replaces one of the backend's own keeps the original reachable (originals.ts) for
// the cases it does not cover.
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { registerEngineGradients } from './gradients';
import { replaceKernel } from './originals';
import { wasmAvgPoolGrad } from './wasm/avg-pool-grad';
import { wasmBatchMatMul } from './wasm/batch-matmul';
import { wasmBatchNormGrad, wasmBatchNormRunningStats, wasmBatchNormTrain } from './wasm/batchnorm';
import { wasmConv2d } from './wasm/conv2d';
import { wasmSoftmaxCrossEntropy, wasmSoftmaxCrossEntropyGrad } from './wasm/cross-entropy';
import { wasmConv2dBackpropFilter } from './wasm/conv-backprop-filter';
import { wasmConv2dBackpropInput } from './wasm/conv-backprop-input';
import { wasmGruSequence, wasmGruSequenceGrad } from './wasm/gru';
import { wasmIdentity } from './wasm/identity';
import { wasmGaussianMaskMul, wasmGaussianMaskMulGrad } from './wasm/mask-mul';
import { wasmAdamW, wasmSgd } from './wasm/optimizers';
import { wasmShortcutA, wasmShortcutAGrad } from './wasm/shortcut';
import { wasmSlice, wasmSplitV, wasmUnpack } from './wasm/slice';
import { wasmTile } from './wasm/tile';
import { webgpuBatchMatMul } from './webgpu/matmul-deterministic';

const KERNELS: Record<string, KernelConfig[]> = {
  wasm: [wasmConv2d, wasmConv2dBackpropFilter, wasmConv2dBackpropInput, wasmBatchMatMul, wasmBatchNormTrain, wasmBatchNormGrad, wasmBatchNormRunningStats, wasmAdamW, wasmSgd, wasmIdentity, wasmAvgPoolGrad, wasmSlice, wasmSplitV, wasmUnpack, wasmTile,
    wasmGruSequence, wasmGruSequenceGrad, wasmShortcutA, wasmShortcutAGrad,
    wasmSoftmaxCrossEntropy, wasmSoftmaxCrossEntropyGrad, wasmGaussianMaskMul, wasmGaussianMaskMulGrad],
  webgpu: [webgpuBatchMatMul],
};

export function registerEngineKernels(backendName: string): string[] {
  registerEngineGradients();
  const list = KERNELS[backendName] ?? [];
  for (const k of list) replaceKernel(k);
  return list.map((k) => k.kernelName);
}

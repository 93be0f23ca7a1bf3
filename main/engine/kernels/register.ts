// Our kernels, one list per backend, registered when that backend is initialised. A kernel
// that replaces one of the backend's own keeps the original reachable (originalKernel) for
// the cases it does not cover.
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { registerEngineGradients } from './gradients';
import { wasmAvgPoolGrad } from './wasm/avg-pool-grad';
import { wasmBatchMatMul } from './wasm/batch-matmul';
import { wasmBatchNormGrad, wasmBatchNormTrain } from './wasm/batchnorm';
import { wasmConv2dBackpropFilter } from './wasm/conv-backprop-filter';
import { wasmConv2dBackpropInput } from './wasm/conv-backprop-input';
import { wasmGruSequence, wasmGruSequenceGrad } from './wasm/gru';
import { wasmIdentity } from './wasm/identity';
import { wasmAdamW, wasmSgd } from './wasm/optimizers';
import { wasmSlice, wasmSplitV, wasmUnpack } from './wasm/slice';
import { wasmTile } from './wasm/tile';
import { webgpuBatchMatMul } from './webgpu/matmul-deterministic';

const KERNELS: Record<string, KernelConfig[]> = {
  wasm: [wasmConv2dBackpropFilter, wasmConv2dBackpropInput, wasmBatchMatMul, wasmBatchNormTrain, wasmBatchNormGrad, wasmAdamW, wasmSgd, wasmIdentity, wasmAvgPoolGrad, wasmSlice, wasmSplitV, wasmUnpack, wasmTile,
    wasmGruSequence, wasmGruSequenceGrad],
  webgpu: [webgpuBatchMatMul],
};

const originals = new Map<string, KernelConfig | null>();

export function registerEngineKernels(backendName: string): string[] {
  registerEngineGradients();
  const list = KERNELS[backendName] ?? [];
  for (const k of list) {
    const key = `${k.backendName}/${k.kernelName}`;
    const existing = getKernel(k.kernelName, k.backendName);
    if (!originals.has(key)) originals.set(key, existing && existing !== k ? { ...existing } : null);
    if (existing) unregisterKernel(k.kernelName, k.backendName);
    registerKernel(k);
  }
  return list.map((k) => k.kernelName);
}

/** The backend's own kernel that ours replaced (null when the backend had none). */
export function originalKernel(kernelName: string, backendName: string): KernelConfig | null {
  return originals.get(`${backendName}/${kernelName}`) ?? null;
}

/** The backend's own kernel that ours replaced, for the cases ours leaves to it. */
export function ownKernel(kernelName: string, backendName: string): KernelConfig {
  const k = originalKernel(kernelName, backendName);
  if (!k) throw new Error(`tfjs-backend-${backendName} registers no ${kernelName}`);
  return k;
}

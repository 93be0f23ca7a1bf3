// Our kernels, one list per backend, registered when that backend is initialised.
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { wasmConv2dBackpropFilter } from './wasm/conv-backprop-filter';

const KERNELS: Record<string, KernelConfig[]> = {
  wasm: [wasmConv2dBackpropFilter],
};

export function registerEngineKernels(backendName: string): string[] {
  const list = KERNELS[backendName] ?? [];
  for (const k of list) {
    if (getKernel(k.kernelName, k.backendName)) unregisterKernel(k.kernelName, k.backendName);
    registerKernel(k);
  }
  return list.map((k) => k.kernelName);
}

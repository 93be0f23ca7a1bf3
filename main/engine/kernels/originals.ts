// The backend's own kernels that ours replace, kept reachable for the cases ours leave to
// them. A leaf module: the kernel files import it and register.ts fills it, so importing any
// kernel file first works (register.ts imports every kernel file; the kernels must not import it).
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';

const originals = new Map<string, KernelConfig | null>();

/** Register `k` in place of the backend's own kernel of that name, remembering the original once. */
export function replaceKernel(k: KernelConfig): void {
  const key = `${k.backendName}/${k.kernelName}`;
  const existing = getKernel(k.kernelName, k.backendName);
  if (!originals.has(key)) originals.set(key, existing && existing !== k ? { ...existing } : null);
  if (existing) unregisterKernel(k.kernelName, k.backendName);
  registerKernel(k);
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

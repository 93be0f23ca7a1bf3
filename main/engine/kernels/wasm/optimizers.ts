// AdamW and SGD updates on wasm: one native pass per parameter (param, grad and slots read
// once, new values written once), all of a group's parameters in one kernel call, instead of
// ~12 tfjs ops per parameter. The arithmetic is the per-op version's, in the same order.
import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { ADAMW_UPDATE, SGD_UPDATE } from '../names';
import { asWasm } from './heap';
import { addressOf, nativeKernels } from './native/module';

const f = Math.fround;

function input(inputs: Record<string, TensorInfo>, key: string, like?: TensorInfo): TensorInfo {
  const t = inputs[key];
  if (!t) throw new Error(`optimizer kernel: input ${key} missing`);
  if (t.dtype !== 'float32') throw new Error(`optimizer kernel: ${key} is ${t.dtype}, expected float32`);
  if (like && t.shape.join(',') !== like.shape.join(',')) throw new Error(`optimizer kernel: ${key} is [${t.shape}], expected [${like.shape}]`);
  return t;
}

export interface AdamWAttrs {
  count: number;
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  step: number;
}

export const wasmAdamW: KernelConfig = {
  kernelName: ADAMW_UPDATE,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const b = asWasm(backend as KernelBackend);
    const k = nativeKernels(b);
    const a = attrs as unknown as AdamWAttrs;
    const c1 = 1 - a.beta1 ** a.step;
    const c2 = 1 - a.beta2 ** a.step;
    const outs: TensorInfo[] = [];
    const ins = inputs as Record<string, TensorInfo>;
    for (let i = 0; i < a.count; i++) {
      const p = input(ins, `p${i}`);
      const [g, m, v] = ['g', 'm', 'v'].map((s) => input(ins, `${s}${i}`, p));
      const po = b.makeOutput(p.shape, 'float32');
      const mo = b.makeOutput(p.shape, 'float32');
      const vo = b.makeOutput(p.shape, 'float32');
      const n = p.shape.reduce((x, y) => x * y, 1);
      k.adamw(addressOf(b, p), addressOf(b, g), addressOf(b, m), addressOf(b, v), n, f(a.lr), f(1 - a.lr * a.weightDecay), f(a.beta1), f(1 - a.beta1),
        f(a.beta2), f(1 - a.beta2), f(a.eps), f(c1), f(c2), addressOf(b, po), addressOf(b, mo), addressOf(b, vo));
      outs.push(po, mo, vo);
    }
    return outs;
  },
};

export interface SgdAttrs {
  count: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
}

export const wasmSgd: KernelConfig = {
  kernelName: SGD_UPDATE,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const b = asWasm(backend as KernelBackend);
    const k = nativeKernels(b);
    const a = attrs as unknown as SgdAttrs;
    const outs: TensorInfo[] = [];
    const ins = inputs as Record<string, TensorInfo>;
    for (let i = 0; i < a.count; i++) {
      const p = input(ins, `p${i}`);
      const g = input(ins, `g${i}`, p);
      const buf = input(ins, `b${i}`, p);
      const po = b.makeOutput(p.shape, 'float32');
      const bo = b.makeOutput(p.shape, 'float32');
      const n = p.shape.reduce((x, y) => x * y, 1);
      k.sgd(addressOf(b, p), addressOf(b, g), addressOf(b, buf), n, f(a.lr), f(a.momentum), f(a.weightDecay), a.nesterov ? 1 : 0, addressOf(b, po), addressOf(b, bo));
      outs.push(po, bo);
    }
    return outs;
  },
};

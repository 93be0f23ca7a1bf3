// The Gaussian mask on a predicted kernel, w ⊙ m(v), on wasm: the s² mask values (and their
// derivatives in v) on the host in double, the per-tap scaling natively. One kernel each way
// instead of ~10 mask ops, the multiply and ~15 gradient ops per searched layer.
import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { gaussianMaskWithDerivative } from '../../effconv/mask';
import { GAUSSIAN_MASK_MUL, GAUSSIAN_MASK_MUL_GRAD } from '../names';
import { asWasm, f32, type WasmBackendLike } from './heap';
import { addressOf, nativeKernels } from './native/module';

function geometry(w: TensorInfo): { s: number; n: number } {
  const [s, s2, ci, co] = w.shape;
  if (w.dtype !== 'float32' || w.shape.length !== 4 || s !== s2) throw new Error(`the Gaussian mask needs a float32 [s, s, ci, co] kernel, got ${w.dtype} [${w.shape}]`);
  return { s, n: ci * co };
}

/** The mask as a float32 tensor (a temporary), and its derivative in v. */
function maskTensor(b: WasmBackendLike, v: TensorInfo, s: number): { mask: TensorInfo; dm: Float64Array } {
  const { m, dm } = gaussianMaskWithDerivative(f32(b, v)[0], s);
  const mask = b.makeOutput([s * s], 'float32');
  f32(b, mask).set(m);
  return { mask, dm };
}

export const wasmGaussianMaskMul: KernelConfig = {
  kernelName: GAUSSIAN_MASK_MUL,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const b = asWasm(backend as KernelBackend);
    const { w, v } = inputs as { w: TensorInfo; v: TensorInfo };
    const { s, n } = geometry(w);
    const y = b.makeOutput(w.shape, 'float32');
    const { mask } = maskTensor(b, v, s);
    try {
      nativeKernels(b).scale_rows(addressOf(b, w), addressOf(b, mask), s * s, n, addressOf(b, y));
    } finally {
      b.disposeData(mask.dataId);
    }
    return y;
  },
};

export const wasmGaussianMaskMulGrad: KernelConfig = {
  kernelName: GAUSSIAN_MASK_MUL_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const b = asWasm(backend as KernelBackend);
    const { dy, w, v } = inputs as { dy: TensorInfo; w: TensorInfo; v: TensorInfo };
    const { s, n } = geometry(w);
    const dw = b.makeOutput(w.shape, 'float32');
    const dv = b.makeOutput(v.shape, 'float32');
    const sums = b.makeOutput([s * s], 'float32');
    const { mask, dm } = maskTensor(b, v, s);
    try {
      nativeKernels(b).scale_rows_grad(addressOf(b, dy), addressOf(b, w), addressOf(b, mask), s * s, n, addressOf(b, dw), addressOf(b, sums));
      const t = f32(b, sums);
      let total = 0;
      for (let i = 0; i < s * s; i++) total += t[i] * dm[i];
      f32(b, dv)[0] = total;
    } finally {
      b.disposeData(mask.dataId);
      b.disposeData(sums.dataId);
    }
    return [dw, dv];
  },
};

// BatchMatMul on wasm: tfjs sends everything but a single untransposed product to a scalar
// loop (~1.7 GFLOP/s); those cases (the GRUs' per-layer batched products, every matMul
// gradient) run here on 4×16 SIMD register tiles. The single plain product stays on XNNPACK.
import { BatchMatMul, broadcast_util, type BatchMatMulAttrs, type KernelBackend, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { ownKernel } from '../originals';
import { asWasm } from './heap';
import { addressOf, nativeKernels } from './native/module';

export const wasmBatchMatMul: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const batchA = outerA.reduce((x, y) => x * y, 1);
    const batchB = outerB.reduce((x, y) => x * y, 1);
    const own = ownKernel(BatchMatMul, 'wasm');
    if ((!transposeA && !transposeB && batchA === 1 && batchB === 1) || a.dtype !== 'float32' || b.dtype !== 'float32') return own.kernelFunc(args);
    const outer = broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
    const batch = outer.reduce((x, y) => x * y, 1);
    if ((batchA !== 1 && batchA !== batch) || (batchB !== 1 && batchB !== batch)) return own.kernelFunc(args); // partial broadcasts
    const m = transposeA ? a.shape[a.shape.length - 1] : a.shape[a.shape.length - 2];
    const k = transposeA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
    const n = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    const kb = transposeB ? b.shape[b.shape.length - 1] : b.shape[b.shape.length - 2];
    if (k !== kb) throw new Error(`matMul inner sizes differ: [${a.shape}]${transposeA ? 'ᵀ' : ''} · [${b.shape}]${transposeB ? 'ᵀ' : ''}`);
    const be = asWasm(args.backend as KernelBackend);
    const out = be.makeOutput([...outer, m, n], 'float32');
    const scratch = transposeB ? be.makeOutput([k * n], 'float32') : null;
    try {
      nativeKernels(be).batch_matmul(addressOf(be, a), addressOf(be, b), addressOf(be, out), batch, batchA, batchB, m, k, n,
        transposeA ? 1 : 0, transposeB ? 1 : 0, scratch ? addressOf(be, scratch) : 0);
    } finally {
      if (scratch) be.disposeData(scratch.dataId);
    }
    return out;
  },
};

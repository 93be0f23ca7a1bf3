// BatchMatMul on webgpu without tfjs's split-K program. For a single matrix with a long inner
// dimension (≥ 2000) and few output tiles, tfjs splits K across workgroups and adds the
// partial sums with a float atomic (a compare-exchange loop): the order of those additions
// varies from run to run, so seeded runs would not repeat, and on SwiftShader the result is
// plain wrong (the kernel predictor's [s², 4096]·[64, 4096]ᵀ gradient). Where tfjs would pick
// split-K we ask for its small-output-tile program instead, which sums in a fixed order.
import { BatchMatMul, env, type BatchMatMulAttrs, type KernelBackend, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { ownKernel } from '../originals';

const SPLIT_K_MIN_INNER = 2000; // tfjs-backend-webgpu's threshold
const SMALL_OUTPUT_SIZE_PROGRAM = 2; // MatMulProgramType.MatMulSmallOutputSizeProgram

/** Would tfjs-backend-webgpu 4.22 choose MatMulSplitKProgram for these shapes? (BatchMatMul_impl.ts) */
export function wouldSplitK(a: number[], b: number[], transposeA: boolean, transposeB: boolean, threshold: number): boolean {
  const outerA = transposeA ? a[a.length - 1] : a[a.length - 2];
  const outerB = transposeB ? b[b.length - 2] : b[b.length - 1];
  const inner = transposeB ? b[b.length - 1] : b[b.length - 2];
  const batch = Math.max(a.slice(0, -2).reduce((x, y) => x * y, 1), b.slice(0, -2).reduce((x, y) => x * y, 1));
  const tiles = batch * Math.ceil(outerA / 32) * Math.ceil(outerB / 32);
  const few = tiles <= threshold || (outerA <= 8 && tiles <= threshold * 2);
  return few && batch * outerA * outerB > 128 && batch === 1 && inner >= SPLIT_K_MIN_INNER;
}

export const webgpuBatchMatMul: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'webgpu',
  kernelFunc: (args) => {
    const own = ownKernel(BatchMatMul, 'webgpu');
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    const flag = env().getNumber('WEBGPU_MATMUL_PROGRAM_TYPE');
    const backend = args.backend as KernelBackend & { thresholdToIncreaseWorkgroups?: number };
    const userThreshold = env().getNumber('WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL');
    const threshold = userThreshold > 0 ? userThreshold : (backend.thresholdToIncreaseWorkgroups ?? 0);
    if (flag >= 0 || !wouldSplitK(a.shape, b.shape, transposeA, transposeB, threshold)) return own.kernelFunc(args);
    env().set('WEBGPU_MATMUL_PROGRAM_TYPE', SMALL_OUTPUT_SIZE_PROGRAM);
    try {
      return own.kernelFunc(args);
    } finally {
      env().set('WEBGPU_MATMUL_PROGRAM_TYPE', flag);
    }
  },
};

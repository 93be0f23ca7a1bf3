// Batch-norm training forward and backward on wasm with the ReLU and residual add that follow
// it fused in: a few passes of SIMD code over the activation (split into row tasks on the
// native threads) instead of a dozen tfjs ops, plus the ReLU, its gradient's Step, Cast and
// Multiply, and the residual Add.
import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { BATCH_NORM_GRAD, BATCH_NORM_TRAIN, BN_RUNNING_STATS } from '../names';
import { asWasm, f32, type WasmBackendLike } from './heap';
import { addressOf, nativeKernels } from './native/module';
import { taskRunner } from './native/pool';

/** Row tasks per call (fixed: the summation order never depends on the thread count). */
const BN_TASKS = 8;
const BLOCK = 32; // batchnorm.c's float block

function channels(x: TensorInfo): { rows: number; c: number } {
  if (x.dtype !== 'float32') throw new Error(`batch norm needs float32, got ${x.dtype}`);
  const c = x.shape[x.shape.length - 1];
  const size = x.shape.reduce((a, b) => a * b, 1);
  return { rows: size / c, c };
}

/** Rows per task (whole blocks) and the task count. */
function rowSplit(rows: number): { per: number; tasks: number } {
  const per = Math.max(BLOCK, Math.ceil(rows / BN_TASKS / BLOCK) * BLOCK);
  return { per, tasks: Math.max(1, Math.ceil(rows / per)) };
}

/** Temporaries freed when `body` ends. */
function withTemps<T>(b: WasmBackendLike, sizes: number[], body: (t: TensorInfo[]) => T): T {
  const temps = sizes.map((n) => b.makeOutput([Math.max(1, n)], 'float32'));
  try {
    return body(temps);
  } finally {
    for (const t of temps) b.disposeData(t.dataId);
  }
}

export const wasmBatchNormTrain: KernelConfig = {
  kernelName: BATCH_NORM_TRAIN,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const b = asWasm(backend as KernelBackend);
    const { x, gamma, beta, residual } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo; residual?: TensorInfo };
    const { epsilon, relu } = attrs as unknown as { epsilon: number; relu?: boolean };
    const { rows, c } = channels(x);
    const k = nativeKernels(b);
    const run = taskRunner(b);
    const y = b.makeOutput(x.shape, 'float32');
    const [mean, variance, invstd] = [0, 1, 2].map(() => b.makeOutput([c], 'float32'));
    const { per, tasks } = rowSplit(rows);
    const at = (t: TensorInfo) => addressOf(b, t);
    // partials: tasks·c doubles; scratch: c floats per task; scale and shift: 2c floats
    withTemps(b, [2 * tasks * c, tasks * c, 2 * c], ([partials, scratch, coef]) => {
      const ss = [at(partials), at(scratch)];
      run.run('bn_sums_task', tasks, [per, at(x), rows, c, 0, 1, ...ss]);
      k.bn_mean(ss[0], tasks, c, rows, at(mean));
      run.run('bn_sums_task', tasks, [per, at(x), rows, c, at(mean), 2, ...ss]);
      k.bn_finish(ss[0], tasks, c, rows, epsilon, at(gamma), at(beta), at(mean), at(variance), at(invstd), at(coef), at(coef) + 4 * c);
      run.run('bn_apply_task', tasks, [per, at(x), residual ? at(residual) : 0, relu ? 1 : 0, rows, c, at(coef), at(coef) + 4 * c, at(y)]);
    });
    return [y, mean, variance, invstd];
  },
};

export const wasmBatchNormGrad: KernelConfig = {
  kernelName: BATCH_NORM_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const b = asWasm(backend as KernelBackend);
    const { x, dy, mean, invstd, gamma, y } = inputs as Record<'x' | 'dy' | 'mean' | 'invstd' | 'gamma', TensorInfo> & { y?: TensorInfo };
    const { relu, residual } = attrs as unknown as { relu?: boolean; residual?: boolean };
    if (relu && !y) throw new Error('batch norm gradient with a ReLU needs the forward output y');
    const { rows, c } = channels(x);
    const k = nativeKernels(b);
    const run = taskRunner(b);
    const dx = b.makeOutput(x.shape, 'float32');
    const dgamma = b.makeOutput([c], 'float32');
    const dbeta = b.makeOutput([c], 'float32');
    const dres = residual ? b.makeOutput(x.shape, 'float32') : null;
    const { per, tasks } = rowSplit(rows);
    const at = (t: TensorInfo) => addressOf(b, t);
    const yp = relu ? at(y!) : 0;
    // partials: 2c doubles per task; scratch: 2c floats per task; A, B, C: 3c floats
    withTemps(b, [4 * tasks * c, 2 * tasks * c, 3 * c], ([partials, scratch, coef]) => {
      run.run('bn_grad_sums_task', tasks, [per, at(x), at(dy), yp, rows, c, at(mean), at(partials), at(scratch)]);
      k.bn_grad_finish(at(partials), tasks, c, rows, at(mean), at(invstd), at(gamma), at(dgamma), at(dbeta), at(coef));
      run.run('bn_grad_apply_task', tasks, [per, at(x), at(dy), yp, rows, c, at(coef), at(dx), dres ? at(dres) : 0]);
    });
    return dres ? [dx, dgamma, dbeta, dres] : [dx, dgamma, dbeta];
  },
};

/** The running-statistics update on heap views (c values): float32 math in the composed ops' order. */
export const wasmBatchNormRunningStats: KernelConfig = {
  kernelName: BN_RUNNING_STATS,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const b = asWasm(backend as KernelBackend);
    const { runningMean, runningVar, mean, variance } = inputs as Record<'runningMean' | 'runningVar' | 'mean' | 'variance', TensorInfo>;
    const { momentum, count } = attrs as unknown as { momentum: number; count: number };
    const m = b.makeOutput(runningMean.shape, 'float32');
    const v = b.makeOutput(runningVar.shape, 'float32');
    const [rm, rv, bm, bv, om, ov] = [runningMean, runningVar, mean, variance, m, v].map((t) => f32(b, t));
    const f = Math.fround;
    const keep = f(1 - momentum);
    const mom = f(momentum);
    const unbias = f(count > 1 ? count / (count - 1) : 1);
    for (let j = 0; j < om.length; j++) {
      om[j] = f(f(rm[j] * keep) + f(bm[j] * mom));
      ov[j] = f(f(rv[j] * keep) + f(f(bv[j] * unbias) * mom));
    }
    return [m, v];
  },
};

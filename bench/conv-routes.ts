// The native conv kernels against XNNPACK's (tfjs-backend-wasm) on ResNet-20's conv shapes,
// batch 64, 'same' padding, on one thread: GFLOP per CPU-second (process CPU time, so other
// work on a shared machine does not count), best of N. The measurement behind
// nativeConvRoute (main/engine/kernels/wasm/conv-native.ts); the filter gradient has no XNNPACK
// route. Run on each runtime and build:
//   node --import tsx bench/conv-routes.ts [--sizes 3,5,7] [--reps N]   (EFFCONV_WASM_KERNELS=simd128 for that build)
import * as tf from '@tensorflow/tfjs-core';
import { Conv2D, type KernelBackend, type TensorInfo } from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { initBackend } from '../main/engine/backends/init';
import { ownKernel } from '../main/engine/kernels/originals';
import { conv2dBackpropFilterNative } from '../main/engine/kernels/wasm/conv-backprop-filter';
import { conv2dBackpropInputNative, conv2dBackpropInputPolyphase } from '../main/engine/kernels/wasm/conv-backprop-input';
import { conv2dNative } from '../main/engine/kernels/wasm/conv2d';
import { kernelBuild } from '../main/engine/kernels/wasm/native/module';
import { samePadding } from '../main/engine/nn/conv';

process.env.EFFCONV_WASM_THREADS ??= '1'; // read when the backend starts, below
const { values } = parseArgs({ options: { sizes: { type: 'string', default: '3,5,7' }, reps: { type: 'string', default: '5' } } });
const { device } = await initBackend('wasm');
const backend = tf.backend() as unknown as KernelBackend;
const reps = Number(values.reps);
const shapes = [
  { name: 'stage 1', h: 32, ci: 16, co: 16, s: 1 },
  { name: 'stage 2 in', h: 32, ci: 16, co: 32, s: 2 },
  { name: 'stage 2', h: 16, ci: 32, co: 32, s: 1 },
  { name: 'stage 3 in', h: 16, ci: 32, co: 64, s: 2 },
  { name: 'stage 3', h: 8, ci: 64, co: 64, s: 1 },
];

/** Least CPU ms of `reps` calls (after one warm-up). */
function cpuMs(fn: () => TensorInfo): number {
  backend.disposeData(fn().dataId);
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const out = fn();
    const c = process.cpuUsage(c0);
    backend.disposeData(out.dataId);
    best = Math.min(best, (c.user + c.system) / 1000);
  }
  return best;
}

console.log(`Node ${process.versions.node} (V8 ${process.versions.v8}); ${device}; native kernels: ${kernelBuild().name} build`);
console.log('GFLOP per CPU-second, batch 64, best of ' + reps);
console.log(`${'conv'.padEnd(12)} ${'k'.padStart(2)} ${'fwd XNN'.padStart(8)} ${'fwd ours'.padStart(8)} ${'dx XNN'.padStart(8)} ${'dx ours'.padStart(8)} ${'dW ours'.padStart(8)}`);
for (const k of values.sizes!.split(',').map(Number)) {
  for (const sh of shapes) {
    const x = tf.randomNormal([64, sh.h, sh.h, sh.ci]);
    const w = tf.randomNormal([k, k, sh.ci, sh.co]);
    const oh = Math.ceil(sh.h / sh.s);
    const dy = tf.randomNormal([64, oh, oh, sh.co]);
    const attrs = { strides: [sh.s, sh.s], pad: samePadding(k, k), dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined } as never;
    const gflop = (2 * 64 * oh * oh * sh.co * k * k * sh.ci) / 1e9;
    const rate = (fn: () => TensorInfo) => (gflop / cpuMs(fn)) * 1e3;
    const r = [
      rate(() => ownKernel(Conv2D, 'wasm').kernelFunc({ inputs: { x, filter: w }, attrs, backend }) as TensorInfo),
      rate(() => conv2dNative(backend, x, w, attrs)),
      rate(() => conv2dBackpropInputPolyphase(backend, dy, w, { ...(attrs as object), inputShape: x.shape } as never)),
      rate(() => conv2dBackpropInputNative(backend, dy, w, { ...(attrs as object), inputShape: x.shape } as never)),
      rate(() => conv2dBackpropFilterNative(backend, x, dy, { ...(attrs as object), filterShape: w.shape } as never)),
    ];
    console.log(`${sh.name.padEnd(12)} ${String(k).padStart(2)} ${r.map((v) => v.toFixed(1).padStart(8)).join(' ')}`);
    tf.dispose([x, w, dy]);
  }
}
process.exit(0);

// The native conv kernels against XNNPACK's (tfjs-backend-wasm) on ResNet-20's conv shapes,
// batch 64, 'same' padding: ms per call and GFLOP/s, the two routes interleaved. This is the
// measurement behind nativeConvRoute (main/engine/kernels/wasm/conv-native.ts).
//   node --import tsx bench/conv-routes.ts [--sizes 3,5,7] [--reps N]
import * as tf from '@tensorflow/tfjs-core';
import { Conv2D, type Conv2DAttrs, type Conv2DBackpropInputAttrs, type KernelBackend, type TensorInfo } from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { initBackend } from '../main/engine/backends/init';
import { ownKernel } from '../main/engine/kernels/originals';
import { conv2dNative } from '../main/engine/kernels/wasm/conv2d';
import { conv2dBackpropInputNative, conv2dBackpropInputPolyphase } from '../main/engine/kernels/wasm/conv-backprop-input';
import { kernelBuild } from '../main/engine/kernels/wasm/native/module';
import { samePadding } from '../main/engine/nn/conv';
import { median } from './engine-steps';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '3,5,7' }, reps: { type: 'string', default: '9' } } });
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

function time(fn: () => TensorInfo): number {
  const t0 = performance.now();
  const out = fn();
  const dt = performance.now() - t0;
  backend.disposeData(out.dataId);
  return dt;
}

console.log(`batch 64; ${device}; native kernels: ${kernelBuild().name} build; median of ${reps}`);
console.log(`${'conv'.padEnd(16)} ${'k'.padStart(2)} ${'fwd XNN'.padStart(9)} ${'fwd ours'.padStart(9)} ${'dx XNN'.padStart(9)} ${'dx ours'.padStart(9)}   GFLOP/s fwd XNN/ours`);
const totals = { fx: 0, fo: 0, ix: 0, io: 0 };
for (const k of values.sizes.split(',').map(Number)) {
  for (const sh of shapes) {
    const x = tf.randomNormal([64, sh.h, sh.h, sh.ci]);
    const w = tf.randomNormal([k, k, sh.ci, sh.co]);
    const pad = samePadding(k, k);
    const attrs = { strides: [sh.s, sh.s], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined } as unknown as Conv2DAttrs;
    const oh = Math.ceil(sh.h / sh.s);
    const dy = tf.randomNormal([64, oh, oh, sh.co]);
    const dxAttrs = { ...attrs, inputShape: x.shape } as unknown as Conv2DBackpropInputAttrs;
    const own = ownKernel(Conv2D, 'wasm');
    const runs = {
      fx: () => own.kernelFunc({ inputs: { x, filter: w }, attrs: attrs as never, backend }) as TensorInfo,
      fo: () => conv2dNative(backend, x, w, attrs),
      ix: () => conv2dBackpropInputPolyphase(backend, dy, w, dxAttrs),
      io: () => conv2dBackpropInputNative(backend, dy, w, dxAttrs),
    };
    const t: Record<keyof typeof runs, number[]> = { fx: [], fo: [], ix: [], io: [] };
    for (let r = 0; r < reps + 2; r++) {
      for (const key of Object.keys(runs) as (keyof typeof runs)[]) {
        const dt = time(runs[key]);
        if (r >= 2) t[key].push(dt);
      }
    }
    const m = Object.fromEntries(Object.entries(t).map(([key, v]) => [key, median(v)])) as Record<keyof typeof runs, number>;
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += m[key];
    const gflop = (2 * 64 * oh * oh * sh.co * k * k * sh.ci) / 1e9;
    const f = (v: number) => v.toFixed(2).padStart(9);
    console.log(`${sh.name.padEnd(16)} ${String(k).padStart(2)} ${f(m.fx)} ${f(m.fo)} ${f(m.ix)} ${f(m.io)}   ${(gflop / m.fx * 1e3).toFixed(0)}/${(gflop / m.fo * 1e3).toFixed(0)}`);
    tf.dispose([x, w, dy]);
  }
}
const f = (v: number) => v.toFixed(1).padStart(9);
console.log(`${'sum (ms)'.padEnd(19)} ${f(totals.fx)} ${f(totals.fo)} ${f(totals.ix)} ${f(totals.io)}`);
process.exit(0);

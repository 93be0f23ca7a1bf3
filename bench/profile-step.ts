// Where a step's time goes, per kernel: every wasm kernel is wrapped with a timer (self time,
// nested kernel calls subtracted) for a few steps after warm-up. Not part of `npm run bench`:
//   node --import tsx bench/profile-step.ts [--stage 1|2] [--size N] [--steps N]
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { initBackend } from '../main/engine/backends/init';
import { DEFAULT_SEARCH_HYPERPARAMETERS, SearchModel } from '../main/engine/effconv/search-model';
import { describeNetwork, parseBackbone } from '../main/engine/models/backbone';
import { PlainModel } from '../main/engine/train/plain-model';
import { benchBatches, cifarSubset } from './data';
import { forceSearchSizes } from './engine-steps';

const { values } = parseArgs({ options: { stage: { type: 'string', default: '2' }, size: { type: 'string', default: '3' }, steps: { type: 'string', default: '5' } } });
const stage = Number(values.stage);
const size = Number(values.size);
const steps = Number(values.steps);
await initBackend('wasm');
const data = cifarSubset();
const batches = benchBatches(data);
const net = describeNetwork(parseBackbone('resnet20'), { height: 32, width: 32, channels: 3 }, 10);

const self = new Map<string, { ms: number; calls: number }>();
const stack: number[] = [];
let on = false;
for (const k of tf.getKernelsForBackend('wasm')) {
  const fn = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, 'wasm');
  tf.registerKernel({ ...k, kernelFunc: (args) => {
    if (!on) return fn(args);
    stack.push(0);
    const t0 = performance.now();
    const out = fn(args);
    const dt = performance.now() - t0;
    const nested = stack.pop()!;
    if (stack.length) stack[stack.length - 1] += dt;
    const e = self.get(k.kernelName) ?? { ms: 0, calls: 0 };
    e.ms += dt - nested;
    e.calls += 1;
    self.set(k.kernelName, e);
    return out;
  } });
}

let step: (i: number) => Promise<unknown>;
if (stage === 1) {
  const m = new SearchModel(net, 400_000, DEFAULT_SEARCH_HYPERPARAMETERS, 0);
  forceSearchSizes(m, size);
  step = async (i) => { await m.step(batches[i % 4]); forceSearchSizes(m, size); await m.refreshSizes(); };
} else {
  const m = new PlainModel(net, net.layers.map(() => size), 0, { lr: 0.1, momentum: 0.9, weightDecay: 5e-4, nesterov: true });
  step = (i) => m.step(batches[i % 4], 0.1);
}
for (let i = 0; i < 3; i++) await step(i);
on = true;
const t0 = performance.now();
for (let i = 0; i < steps; i++) await step(i);
const total = (performance.now() - t0) / steps;
on = false;
const rows = [...self].map(([k, v]) => ({ k, ms: v.ms / steps, calls: v.calls / steps })).sort((a, b) => b.ms - a.ms);
const inKernels = rows.reduce((a, r) => a + r.ms, 0);
console.log(`stage-${stage} step, all ${size}×${size}: ${total.toFixed(1)} ms a step, ${inKernels.toFixed(1)} ms in ${rows.reduce((a, r) => a + r.calls, 0)} kernel calls`);
for (const r of rows) console.log(`${r.k.padEnd(28)} ${r.ms.toFixed(2).padStart(8)} ms ${String(r.calls).padStart(6)} calls`);
process.exit(0);

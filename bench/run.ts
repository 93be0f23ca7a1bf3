// npm run bench: ms per stage-1 and stage-2 step on each available backend beside the same
// steps in PyTorch (interleaved repetitions, medians, ratio ours/PyTorch), the data loader's
// images/s, what recording metrics costs a stage-1 step, and the fleet's points per hour on 1 and
// 2 workers with the queue's overhead against local runs (bench/fleet.ts).
// Options: --backends wasm,cpu  --reps N  --sizes 3,5,7  --threads N (ours and PyTorch's)  --cpu
//          --no-torch  --no-logging  --no-estimate  --no-fleet  --fleet-points N  --fleet-limit-train N
//          --json FILE (scripts/bench.js adds --node: which Node runs this)
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { BackendName } from '../main/engine/backends/probe';
import { benchBatches, cifarBatchFile, cifarSubset } from './data';
import { measureLoggingOverhead } from './logging-overhead';
import { benchFleet, formatFleetBench } from './fleet';
import { measureLoader } from '../main/data/measure-loader';
import { DEFAULT_SEARCH_HYPERPARAMETERS, SearchModel } from '../main/engine/effconv/search-model';
import { describeNetwork, parseBackbone } from '../main/engine/models/backbone';
import { availableBackends, benchEngineSteps, forceSearchSizes } from './engine-steps';
import { TorchSteps } from './torch-steps';
import { benchEstimate } from './estimate';
import { kernelBuild } from '../main/engine/kernels/wasm/native/module';

const { values } = parseArgs({
  options: {
    json: { type: 'string' },
    backends: { type: 'string' },
    reps: { type: 'string', default: '7' },
    sizes: { type: 'string', default: '3,5,7' },
    'runtime-label': { type: 'string', default: 'machine' },
    threads: { type: 'string' },
    cpu: { type: 'boolean', default: false },
    'no-torch': { type: 'boolean', default: false },
    'no-logging': { type: 'boolean', default: false },
    'no-estimate': { type: 'boolean', default: false },
    'no-fleet': { type: 'boolean', default: false },
    'fleet-points': { type: 'string', default: '4' },
    'fleet-limit-train': { type: 'string', default: '2048' },
  },
});
if (values.threads) process.env.EFFCONV_WASM_THREADS = values.threads;
const load0 = loadavg()[0];
const wasm = await import('@tensorflow/tfjs-backend-wasm');
const backends = values.backends ? (values.backends.split(',') as BackendName[]) : await availableBackends(values.cpu!);
const data = cifarSubset();
// PyTorch gets as many threads as our wasm backend uses.
const { initBackend } = await import('../main/engine/backends/init');
await initBackend('wasm');
const threads = Math.max(1, wasm.getThreadsCount());
const torch = values['no-torch'] ? 'not asked for (--no-torch)' : await TorchSteps.start(threads, cifarBatchFile());
const sizes = values.sizes!.split(',').map(Number);
if (sizes.some((k) => !Number.isInteger(k) || k < 1 || k > 7)) throw new Error(`--sizes takes kernel sizes 1…7, got ${values.sizes}`);
const rows = await benchEngineSteps(data, backends, Number(values.reps), typeof torch === 'string' ? null : torch, sizes);
if (typeof torch !== 'string') torch.close();
// The loader as the trainers use it: building in this thread, and on its worker thread.
const loader = {
  inThread: await measureLoader(data, { batchSize: 128, augment: { crop: 4, flip: true } }),
  background: await measureLoader(data, { batchSize: 128, augment: { crop: 4, flip: true }, background: true }),
};
// Metrics recording (every step into the store, as a run does) against a stage-1 step on wasm.
let logging: Awaited<ReturnType<typeof measureLoggingOverhead>> | null = null;
let loggingSkipped = values['no-logging'] ? 'not asked for (--no-logging)' : '';
if (!values['no-logging']) {
  try {
  await initBackend('wasm');
  const net = describeNetwork(parseBackbone('resnet20'), { height: 32, width: 32, channels: 3 }, 10);
  const model = new SearchModel(net, 400_000, DEFAULT_SEARCH_HYPERPARAMETERS, 0);
  forceSearchSizes(model, 3);
  logging = await measureLoggingOverhead({ model, batches: benchBatches(data), steps: 15 });
  model.dispose();
  } catch (e) {
    // e.g. better-sqlite3 built for another Node's ABI (npm install ran on another Node)
    loggingSkipped = `not measured: ${(e as Error).message.split('\n')[0]}`;
  }
}

const pad = (s: string, n: number) => s.padEnd(n);
const num = (v: number | null, d = 1) => (v === null ? '—' : v.toFixed(d)).padStart(9);
const load1 = loadavg()[0];
const runtime = { label: values['runtime-label']!, node: process.versions.node, v8: process.versions.v8, kernels: kernelBuild().name };
console.log(`Node ${runtime.node} (${runtime.label}; V8 ${runtime.v8}); the engine's native kernels: ${runtime.kernels} build`);
console.log(`ResNet-20, 3×32×32 CIFAR-10 images, batch 64 — median ms per step, ${rows[0]?.reps ?? 0} interleaved reps; ${availableParallelism()} logical cores, load average ${load0.toFixed(2)} → ${load1.toFixed(2)}`);
console.log(`PyTorch: ${typeof torch === 'string' ? torch : `${torch.version}, ${torch.threads} thread${torch.threads === 1 ? '' : 's'}`}`);
console.log(`${pad('backend', 9)} ${pad('case', 24)} ${'ours ms'.padStart(9)} ${'torch ms'.padStart(9)} ${'ours/torch'.padStart(10)}`);
for (const r of rows) console.log(`${pad(r.backend, 9)} ${pad(r.case, 24)} ${num(r.medianMs)} ${num(r.torchMs)} ${num(r.ratio, 2).padStart(10)}`);
for (const b of new Set(rows.map((r) => `${r.backend}: ${r.device}`))) console.log(`  ${b}`);
const fastest = rows.length ? Math.min(...rows.map((r) => r.medianMs)) : NaN;
console.log(`data loader (3×32×32, batch 128, crop 4 + flip): ${Math.round(loader.inThread.imagesPerSecond)} images/s in the training thread, ` +
  `${Math.round(loader.background.imagesPerSecond)} images/s from its worker thread; the fastest step above consumes ${Math.round((64 * 1000) / fastest)} images/s`);
if (logging) {
  console.log(`metrics logging (every step into the store): ${logging.recorderMsPerStep.toFixed(2)} ms per stage-1 step = ${logging.overheadPercent.toFixed(2)}% ` +
    `(A/B over ${logging.steps}+${logging.steps} steps: ${logging.stepMs.toFixed(0)} → ${logging.stepWithLoggingMs.toFixed(0)} ms, ${logging.abPercent.toFixed(1)}%)`);
} else console.log(`metrics logging: ${loggingSkipped}`);
// The run-time estimate (a probe of the network) against a real short run (bench/estimate.ts).
const estimate = values['no-estimate'] ? null : await benchEstimate();
if (estimate) console.log(estimate.line);
// The fleet (bench/fleet.ts): points per hour on 1 and 2 workers, and the queue's overhead against running locally.
const fleet = values['no-fleet'] ? null : await benchFleet({ points: Number(values['fleet-points']), backbone: 'resnet20', limitTrain: Number(values['fleet-limit-train']) });
if (fleet) console.log(formatFleetBench(fleet));
if (values.json) {
  writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), runtime, cores: availableParallelism(), loadAverage: [load0, load1], threads, torch: typeof torch === 'string' ? { unavailable: torch } : { version: torch.version, threads: torch.threads }, rows, loader, logging, estimate, fleet }, null, 2));
}
process.exit(0);

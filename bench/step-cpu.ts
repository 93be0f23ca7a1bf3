// CPU time of a training step on one thread (process CPU time: other work on a shared machine
// does not count), for comparing runtimes and builds. Not part of `npm run bench`:
//   EFFCONV_WASM_THREADS=1 node --import tsx bench/step-cpu.ts [--sizes 3,5,7] [--steps N]
import { parseArgs } from 'node:util';
import { initBackend } from '../main/engine/backends/init';
import { DEFAULT_SEARCH_HYPERPARAMETERS, SearchModel } from '../main/engine/effconv/search-model';
import { kernelBuild } from '../main/engine/kernels/wasm/native/module';
import { describeNetwork, parseBackbone } from '../main/engine/models/backbone';
import { PlainModel } from '../main/engine/train/plain-model';
import { benchBatches, cifarSubset } from './data';
import { forceSearchSizes } from './engine-steps';

process.env.EFFCONV_WASM_THREADS ??= '1'; // read when the backend starts, below
const { values } = parseArgs({ options: { sizes: { type: 'string', default: '3,5,7' }, steps: { type: 'string', default: '5' } } });
const { device } = await initBackend('wasm');
const data = cifarSubset();
const batches = benchBatches(data);
const net = describeNetwork(parseBackbone('resnet20'), { height: 32, width: 32, channels: 3 }, 10);

async function cpuMs(step: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 2; i++) await step(i);
  let best = Infinity;
  for (let i = 0; i < Number(values.steps); i++) {
    const c0 = process.cpuUsage();
    await step(i);
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1000);
  }
  return best;
}

console.log(`Node ${process.versions.node} (V8 ${process.versions.v8}); ${device}; ${kernelBuild().name} build; least CPU ms of ${values.steps} steps`);
for (const size of values.sizes!.split(',').map(Number)) {
  const search = new SearchModel(net, 400_000, DEFAULT_SEARCH_HYPERPARAMETERS, 0);
  forceSearchSizes(search, size);
  const s1 = await cpuMs(async (i) => {
    await search.step(batches[i % 4]);
    forceSearchSizes(search, size);
    await search.refreshSizes();
  });
  search.dispose();
  const plain = new PlainModel(net, net.layers.map(() => size), 0, { lr: 0.1, momentum: 0.9, weightDecay: 5e-4, nesterov: true });
  const s2 = await cpuMs((i) => plain.step(batches[i % 4], 0.1));
  plain.dispose();
  console.log(`all ${size}×${size}: stage-1 step ${s1.toFixed(0)} ms, stage-2 step ${s2.toFixed(0)} ms`);
}
process.exit(0);

// Child process for the wasm thread tests: a few seeded stage-1 and stage-2 steps on
// Fashion-MNIST with the thread count from EFFCONV_WASM_THREADS; prints one JSON line with
// the thread count, every step's metrics and the final weights.
import * as tf from '@tensorflow/tfjs-core';
import { TrainSampler } from '../../../main/data/sampler';
import { initBackend } from '../../../main/engine/backends/init';
import { DEFAULT_SEARCH_HYPERPARAMETERS, SearchModel } from '../../../main/engine/effconv/search-model';
import { describeNetwork, parseBackbone } from '../../../main/engine/models/backbone';
import { PlainModel } from '../../../main/engine/train/plain-model';
import { fashionMnist } from '../../helpers/data';

const backend = await initBackend('wasm');
const wasm = await import('@tensorflow/tfjs-backend-wasm');
const data = fashionMnist();
const net = describeNetwork(parseBackbone('resnet8'), { height: 28, width: 28, channels: 1 }, 10);
const sampler = new TrainSampler(data, data.train, 32, 3, { crop: 2, flip: false });
const steps = Number(process.env.STEPS ?? 3);

const search = new SearchModel(net, 60_000, DEFAULT_SEARCH_HYPERPARAMETERS, 5);
const stage1 = [];
for (let i = 0; i < steps; i++) stage1.push(await search.step(await sampler.batch(0, i)));
const kernels = await Promise.all(search.kernels().map(async (k) => { const v = Array.from(await k.data()); k.dispose(); return v; }));
search.dispose();

const plain = new PlainModel(net, [3, 4, 2, 5, 1, 3], 5, { lr: 0.05, momentum: 0.9, weightDecay: 5e-4, nesterov: true });
const stage2 = [];
for (let i = 0; i < steps; i++) stage2.push(await plain.step(await sampler.batch(1, i), 0.05));
const snapshot = await plain.store.snapshot();
const weights = Object.fromEntries(Object.entries(snapshot).map(([k, v]) => [k, Array.from(v.data)]));
plain.dispose();

process.stdout.write(JSON.stringify({ device: backend.device, threads: wasm.getThreadsCount(), stage1, stage2, kernels, weights, tensors: tf.memory().numTensors }) + '\n');

// ms per stage-1 and stage-2 step (ResNet-20, 3×32×32, batch 64) on each available backend,
// at the baseline sizes (≈3×3) and with every searched conv at 5×5.
import * as tf from '@tensorflow/tfjs-core';
import { TrainSampler } from '../main/data/sampler';
import { doctor, initBackend } from '../main/engine/backends/init';
import type { BackendName } from '../main/engine/backends/probe';
import { DEFAULT_SEARCH_HYPERPARAMETERS, SearchModel } from '../main/engine/effconv/search-model';
import { describeNetwork, parseBackbone } from '../main/engine/models/backbone';
import { PlainModel } from '../main/engine/train/plain-model';
import type { Batch } from '../main/engine/train/batch-source';
import { cifarSubset } from './data';

export interface StepTiming {
  backend: string;
  case: string;
  stage: 1 | 2;
  sizes: number;
  medianMs: number;
  reps: number;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Make the size predictor output v = s for every layer (head weights 0, bias at σ⁻¹(s)). */
export function forceSearchSizes(model: SearchModel, s: number): void {
  const { k, tau, b } = model.hyper;
  const x = tau * (Math.atanh((s - k - 1) / k) - b);
  tf.tidy(() => {
    model.sp.headW.assign(tf.zerosLike(model.sp.headW));
    model.sp.headB.assign(tf.fill(model.sp.headB.shape, x));
  });
}

async function time(fn: () => Promise<unknown>, reps: number, warmup: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

export async function benchEngineSteps(backends: BackendName[], reps: number, batchSize = 64): Promise<StepTiming[]> {
  const data = cifarSubset();
  const sampler = new TrainSampler(data, data.train, batchSize, 0, { crop: 4, flip: true });
  const batches: Batch[] = [];
  for (let i = 0; i < 4; i++) batches.push(sampler.batchSync(0, i));
  const net = describeNetwork(parseBackbone('resnet20'), { height: 32, width: 32, channels: 3 }, 10);
  const out: StepTiming[] = [];
  for (const backend of backends) {
    await initBackend(backend);
    const n = backend === 'cpu' ? 1 : reps;
    const warm = backend === 'cpu' ? 1 : 2;
    for (const size of [3, 5]) {
      const search = new SearchModel(net, 400_000, DEFAULT_SEARCH_HYPERPARAMETERS, 0);
      forceSearchSizes(search, size);
      let i = 0;
      // The step updates the predictor; keep the sizes pinned so every rep runs the same shapes.
      const ms1 = await time(async () => {
        await search.step(batches[i++ % batches.length]);
        forceSearchSizes(search, size);
        await search.refreshSizes();
      }, n, warm);
      search.dispose();
      out.push({ backend, case: `stage-1 step, all ${size}×${size}`, stage: 1, sizes: size, medianMs: ms1, reps: n });
      const plain = new PlainModel(net, net.layers.map(() => size), 0, { lr: 0.1, momentum: 0.9, weightDecay: 5e-4, nesterov: true });
      let j = 0;
      const ms2 = await time(() => plain.step(batches[j++ % batches.length], 0.1), n, warm);
      plain.dispose();
      out.push({ backend, case: `stage-2 step, all ${size}×${size}`, stage: 2, sizes: size, medianMs: ms2, reps: n });
    }
  }
  return out;
}

export async function availableBackends(includeCpu: boolean): Promise<BackendName[]> {
  const d = await doctor();
  return d.backends.filter((b) => b.available && !b.manualOnly && (includeCpu || b.name !== 'cpu')).map((b) => b.name);
}

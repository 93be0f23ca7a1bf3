// What a run's kernels look like, from its newest checkpoint: mean |w| over channels at each
// kernel position. A stage-2 checkpoint holds the trained weights; a stage-1 one holds the
// predictors, so the effective kernels w = m(v) ⊙ f_kp(s) are computed (cpu is enough for
// one forward pass). Cached per checkpoint: a live view asks often, checkpoints change rarely.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelMaps } from '../contract/api';
import type { RunOptions } from '../contract/run';
import { initBackend } from '../engine/backends/init';
import { DEFAULT_SEARCH_HYPERPARAMETERS, SearchModel } from '../engine/effconv/search-model';
import { describeNetwork, parseBackbone } from '../engine/models/backbone';
import { parseBudget } from '../engine/models/params';
import { getRunDetail, type Store } from '../store';
import { loadLatestCheckpoint } from './checkpoints';
import type { SavedRunState } from './run-state';

/** mean over (in, out) of |w[y, x, in, out]| for a [s, s, in, out] kernel, row-major over (y, x). */
export function meanAbsPerPosition(data: Float32Array, size: number): number[] {
  const positions = size * size;
  const per = data.length / positions;
  const out: number[] = [];
  for (let p = 0; p < positions; p++) {
    let sum = 0;
    for (let i = p * per; i < (p + 1) * per; i++) sum += Math.abs(data[i]);
    out.push(sum / per);
  }
  return out;
}

const cache = new Map<number, { artifactId: number; maps: KernelMaps }>();

export async function kernelMaps(store: Store, runId: number): Promise<KernelMaps> {
  const run = getRunDetail(store, runId);
  const loaded = loadLatestCheckpoint(store, runId);
  if (!loaded || !run.layers) return { layers: [], source: 'none' };
  const hit = cache.get(runId);
  if (hit && hit.artifactId === loaded.artifact.id) return hit.maps;
  const s = loaded.state;
  let maps: KernelMaps;
  if (s.stage === 2) {
    maps = {
      source: 'trained',
      layers: run.layers.map((name, i) => ({ name, size: s.hard[i], values: meanAbsPerPosition(s.params[`${name}.weight`].data, s.hard[i]) })),
    };
  } else {
    maps = { source: 'search', layers: await searchKernels(run.options, run.datasetRecord, s, run.layers) };
  }
  cache.set(runId, { artifactId: loaded.artifact.id, maps });
  return maps;
}

async function searchKernels(
  o: RunOptions,
  data: { height: number; width: number; channels: number; classes: number } | null,
  s: SavedRunState,
  layers: string[],
): Promise<KernelMaps['layers']> {
  if (!data) return [];
  // This process trains nothing (workers do); any backend will do, and cpu is always there.
  if (!tf.getBackend()) await initBackend('cpu');
  const net = describeNetwork(parseBackbone(o.backbone), { height: data.height, width: data.width, channels: data.channels }, data.classes);
  const model = new SearchModel(net, parseBudget(o.budget), { ...DEFAULT_SEARCH_HYPERPARAMETERS, batchSize: o.batchSize }, o.seed);
  try {
    await model.setState({ params: s.params, optimizers: { sizeAndCnn: s.optimizers.sizeAndCnn, kernel: s.optimizers.kernel } });
    const kernels = model.kernels();
    try {
      const hard = model.sizes.hard;
      return await Promise.all(kernels.map(async (k, i) => ({ name: layers[i], size: hard[i], values: meanAbsPerPosition((await k.data()) as Float32Array, hard[i]) })));
    } finally {
      for (const k of kernels) k.dispose();
    }
  } finally {
    model.dispose();
  }
}

// What a run's kernels look like, from its newest checkpoint: mean |w| over channels at each
// kernel position (engine/models/kernel-maps). A stage-2 checkpoint holds the trained weights; a stage-1 one holds the
// predictors, so the effective kernels w = m(v) ⊙ f_kp(s) are computed (cpu is enough for
// one forward pass). Cached per checkpoint: a live view asks often, checkpoints change rarely.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelMaps } from '../contract/api';
import type { RunOptions } from '../contract/run';
import { initBackend } from '../engine/backends/init';
import { DEFAULT_SEARCH_HYPERPARAMETERS, SearchModel } from '../engine/effconv/search-model';
import { describeNetwork, parseBackbone } from '../engine/models/backbone';
import { kernelMaps as mapKernels } from '../engine/models/kernel-maps';
import { parseBudget } from '../engine/models/params';
import { getRunDetail, type Store } from '../store';
import { loadLatestCheckpoint } from './checkpoints';
import type { SavedRunState } from './run-state';

/** This process trains nothing (workers do): any backend will do, and cpu is always there. */
async function ensureBackend(): Promise<void> {
  if (!tf.getBackend()) await initBackend('cpu');
}

const cache = new Map<number, { artifactId: number; maps: KernelMaps }>();

export async function kernelMaps(store: Store, runId: number): Promise<KernelMaps> {
  const run = getRunDetail(store, runId);
  // Answer from the cache while the newest checkpoint row is the one it was made from (no file read).
  const newest = run.artifacts.find((a) => a.kind === 'checkpoint');
  const hit = cache.get(runId);
  if (hit && newest && hit.artifactId === newest.id) return hit.maps;
  const loaded = loadLatestCheckpoint(store, runId);
  if (!loaded || !run.layers) return { layers: [], source: 'none' };
  const s = loaded.state;
  let maps: KernelMaps;
  await ensureBackend();
  if (s.stage === 2) {
    const kernels = run.layers.map((name) => {
      const w = s.params[`${name}.weight`];
      return tf.tensor4d(w.data, w.shape as [number, number, number, number]);
    });
    try {
      maps = { source: 'trained', layers: await mapKernels(run.layers, kernels) };
    } finally {
      tf.dispose(kernels);
    }
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
  const net = describeNetwork(parseBackbone(o.backbone), { height: data.height, width: data.width, channels: data.channels }, data.classes);
  const model = new SearchModel(net, parseBudget(o.budget), { ...DEFAULT_SEARCH_HYPERPARAMETERS, batchSize: o.batchSize }, o.seed);
  try {
    await model.setState({ params: s.params, optimizers: { sizeAndCnn: s.optimizers.sizeAndCnn, kernel: s.optimizers.kernel } });
    const kernels = model.kernels();
    try {
      return await mapKernels(layers, kernels);
    } finally {
      tf.dispose(kernels);
    }
  } finally {
    model.dispose();
  }
}

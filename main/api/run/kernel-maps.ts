// What a run's kernels look like: mean |w| over channels at each kernel position
// (engine/models/kernel-maps). Computed where the model lives: by the run's own process at
// every checkpoint (recorded with the checkpoint), or, for a checkpoint recorded without them,
// from its file in a task process. A stage-1 state holds the predictors, so the effective
// kernels w = m(v) ⊙ f_kp(s) are computed; a stage-2 state holds the trained weights.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelMaps } from '../../contract/api';
import { initBackend } from '../../engine/backends/init';
import { DEFAULT_SEARCH_HYPERPARAMETERS, SearchModel } from '../../engine/effconv/search-model';
import { describeNetwork, parseBackbone } from '../../engine/models/backbone';
import { kernelMaps } from '../../engine/models/kernel-maps';
import { parseBudget } from '../../engine/models/params';
import type { PlainModel } from '../../engine/train/plain-model';
import { getRunRecord, type Store } from '../../store';
import { loadLatestCheckpoint } from './checkpoints';

/** The search model's current effective kernels. */
export async function searchKernelMaps(model: SearchModel, layers: string[]): Promise<KernelMaps> {
  const kernels = model.kernels();
  try {
    return { source: 'search', layers: await kernelMaps(layers, kernels) };
  } finally {
    tf.dispose(kernels);
  }
}

/** The stage-2 model's weights (its own variables: nothing to dispose). */
export async function trainedKernelMaps(model: PlainModel, layers: string[]): Promise<KernelMaps> {
  return { source: 'trained', layers: await kernelMaps(layers, layers.map((name) => model.store.get(`${name}.weight`) as tf.Tensor4D)) };
}

/** From the newest checkpoint's file, rebuilding the model it holds (cpu is enough for one forward pass). */
export async function checkpointKernelMaps(store: Store, runId: number): Promise<KernelMaps> {
  const run = getRunRecord(store, runId);
  const loaded = loadLatestCheckpoint(store, runId);
  if (!loaded || !run.layers) return { layers: [], source: 'none' };
  if (!tf.getBackend()) await initBackend('cpu');
  const s = loaded.state;
  const layers = run.layers;
  if (s.stage === 2) {
    const kernels = layers.map((name) => tf.tensor4d(s.params[`${name}.weight`].data, s.params[`${name}.weight`].shape as [number, number, number, number]));
    try {
      return { source: 'trained', layers: await kernelMaps(layers, kernels) };
    } finally {
      tf.dispose(kernels);
    }
  }
  const data = run.datasetRecord;
  if (!data) return { layers: [], source: 'none' };
  const o = run.options;
  const net = describeNetwork(parseBackbone(o.backbone), { height: data.height, width: data.width, channels: data.channels }, data.classes);
  const model = new SearchModel(net, parseBudget(o.budget), { ...DEFAULT_SEARCH_HYPERPARAMETERS, batchSize: o.batchSize }, o.seed);
  try {
    await model.setState({ params: s.params, optimizers: { sizeAndCnn: s.optimizers.sizeAndCnn, kernel: s.optimizers.kernel } });
    return await searchKernelMaps(model, layers);
  } finally {
    model.dispose();
  }
}

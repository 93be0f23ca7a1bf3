// A run's expected wall time from its options: the data opened and the backend started as the
// run will, then a short probe of its network at its batch sizes (main/engine/estimate), with
// the step times cached per machine. Runs in a task (it loads tfjs), never in the UI's process.
import type { RunOptions } from '../../contract/run';
import { fileTimingCache } from '../../data/estimate-cache';
import { limitSplit, type ImageSet } from '../../data/image-set';
import { openDataset } from '../../data/resolve';
import { EvalSampler, TrainSampler } from '../../data/sampler';
import { initBackend } from '../../engine/backends/init';
import { EVAL_BATCH } from '../../engine/estimate/probe-steps';
import { estimateRun, type ProbedEstimate, type TimingCache } from '../../engine/estimate/run-estimate';
import { defaultAugment, planNetwork } from './pipeline';

export interface EstimateOptions {
  /** wasm threads to probe with (a sweep point's share of the cores); default: the run's own. */
  wasmThreads?: number;
  /** Keep what the probe measures in the machine's cache (not while other runs train: their load skews it). */
  keep: boolean;
}

/** One estimate per run, in order; each data set is opened once. */
export async function estimateRuns(runs: RunOptions[], o: EstimateOptions): Promise<ProbedEstimate[]> {
  const file = fileTimingCache();
  const cache: TimingCache = o.keep ? file : { get: (k) => file.get(k), set: () => {} };
  const opened = new Map<string, ImageSet>();
  const out: ProbedEstimate[] = [];
  for (const r of runs) {
    const data = opened.get(r.dataset) ?? openDataset(r.dataset);
    opened.set(r.dataset, data);
    out.push(await estimateOne(r, data, cache, o.wasmThreads));
  }
  return out;
}

async function estimateOne(o: RunOptions, data: ImageSet, cache: TimingCache, wasmThreads: number | undefined): Promise<ProbedEstimate> {
  const plan = planNetwork(o, data);
  const backend = await initBackend(o.backend, { wasmThreads });
  const train = limitSplit(data.train, o.limitTrain);
  const test = limitSplit(data.test, o.limitTest);
  const augment = { ...defaultAugment(data), ...(o.crop !== undefined ? { crop: o.crop } : {}), ...(o.flip !== undefined ? { flip: o.flip } : {}) };
  return estimateRun(
    {
      net: plan.net, budget: plan.budget, sizes: plan.sizes, stages: o.stages, backend, searchEpochs: o.searchEpochs, trainEpochs: o.trainEpochs,
      batchSize: o.batchSize, trainBatchSize: o.trainBatchSize, trainImages: train.count, testImages: test.count, seed: o.seed,
    },
    () => ({
      search: new TrainSampler(data, train, o.batchSize, o.seed, augment, { background: false }),
      train: new TrainSampler(data, train, o.trainBatchSize, o.seed + 1, augment, { background: false }),
      eval: new EvalSampler(data, limitSplit(test, EVAL_BATCH)),
    }),
    cache,
  );
}

// A short timed probe of the network a run will train, on the backend it will use: a few
// stage-1 (EffConv search) steps and stage-2 (plain SGD) steps at the run's batch sizes after
// warm-up steps (the first steps compile kernels and grow the heap), and the evaluation of a
// few test batches. Real batches, real models, disposed after: no tensor is left behind.
import { DEFAULT_SEARCH_HYPERPARAMETERS, SearchModel } from '../effconv/search-model';
import type { NetworkSpec } from '../models/backbone';
import type { EvalBatches, TrainBatches } from '../train/batch-source';
import { PlainModel } from '../train/plain-model';
import { DEFAULT_TRAIN } from '../train/run-train';

export interface ProbePlan {
  net: NetworkSpec;
  /** Stage 1's parameter budget; null when the run has no search. */
  budget: number | null;
  /** The sizes stage 2 will train (the config's, or an estimate of what the search will find). */
  trainSizes: number[] | null;
  seed: number;
}

export interface ProbeData {
  /** Stage-1 batches at the run's search batch size (absent: no search). */
  search?: TrainBatches;
  /** Stage-2 batches at the run's training batch size (absent: no training). */
  train?: TrainBatches;
  /** One evaluation batch (EVAL_BATCH images) of the test split (absent: no evaluation). */
  eval?: EvalBatches;
}

export interface ProbeTimings {
  searchStepMs: number | null;
  trainStepMs: number | null;
  evalMsPerImage: number | null;
  /** What the probe itself took. */
  probeSeconds: number;
}

export interface ProbeCounts {
  warmup: number;
  timed: number;
}

export const EVAL_BATCH = 256;

/** The first step compiles kernels and grows the heap; the next are steady (median of 3). */
export const DEFAULT_PROBE: ProbeCounts = { warmup: 1, timed: 3 };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function timeSteps(data: TrainBatches, counts: ProbeCounts, step: (i: number, b: Awaited<ReturnType<TrainBatches['batch']>>) => Promise<unknown>): Promise<number> {
  const per = Math.max(1, data.batchesPerEpoch);
  const ms: number[] = [];
  for (let i = 0; i < counts.warmup + counts.timed; i++) {
    const batch = await data.batch(0, i % per);
    const t0 = performance.now();
    await step(i, batch);
    if (i >= counts.warmup) ms.push(performance.now() - t0);
  }
  return median(ms);
}

export async function probeStepTimes(plan: ProbePlan, data: ProbeData, counts: ProbeCounts = DEFAULT_PROBE): Promise<ProbeTimings> {
  const t0 = performance.now();
  let searchStepMs: number | null = null;
  let trainStepMs: number | null = null;
  let evalMsPerImage: number | null = null;
  if (data.search && plan.budget !== null) {
    const model = new SearchModel(plan.net, plan.budget, { ...DEFAULT_SEARCH_HYPERPARAMETERS, batchSize: data.search.batchSize }, plan.seed);
    try {
      searchStepMs = await timeSteps(data.search, counts, (_, b) => model.step(b));
    } finally {
      model.dispose();
    }
  }
  if ((data.train || data.eval) && plan.trainSizes) {
    const model = new PlainModel(plan.net, plan.trainSizes, plan.seed, { lr: DEFAULT_TRAIN.lr, momentum: DEFAULT_TRAIN.momentum, weightDecay: DEFAULT_TRAIN.weightDecay, nesterov: true });
    try {
      if (data.train) trainStepMs = await timeSteps(data.train, counts, (_, b) => model.step(b, 0.01));
      if (data.eval && data.eval.count > 0) {
        await model.evaluate(data.eval, EVAL_BATCH); // warm-up: the evaluation graph's first run
        const e0 = performance.now();
        await model.evaluate(data.eval, EVAL_BATCH);
        evalMsPerImage = (performance.now() - e0) / data.eval.count;
      }
    } finally {
      model.dispose();
    }
  }
  return { searchStepMs, trainStepMs, evalMsPerImage, probeSeconds: (performance.now() - t0) / 1000 };
}

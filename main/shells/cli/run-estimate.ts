// Before a run's first step: how long each stage should take here, from a short probe of the
// run's network on its backend (cached per machine in EFFCONV_HOME), printed on one line.
import type { RunOptions } from '../../contract/run';
import { defaultAugment, planNetwork } from '../../api/run/pipeline';
import { fileTimingCache } from '../../data/estimate-cache';
import { limitSplit } from '../../data/image-set';
import { openDataset } from '../../data/resolve';
import { EvalSampler, TrainSampler } from '../../data/sampler';
import { initBackend } from '../../engine/backends/init';
import { EVAL_BATCH } from '../../engine/estimate/probe-steps';
import { estimateRun, type RunEstimate } from '../../engine/estimate/run-estimate';

/** The estimate for these options (the data opened and the backend started as the run will). */
export async function estimateForOptions(o: RunOptions): Promise<RunEstimate> {
  const data = openDataset(o.dataset);
  const plan = planNetwork(o, data);
  const backend = await initBackend(o.backend);
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
    fileTimingCache(),
  );
}

/** 42 s, 4 min 10 s, 1 h 6 min, 2 d 3 h. */
export function humanDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.round((s % 86_400) / 3600)} h`;
}

export function describeEstimate(e: RunEstimate): string {
  const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);
  const parts: string[] = [];
  if (e.search) parts.push(`stage 1 ≈ ${humanDuration(e.search.seconds)} (${e.search.steps.toLocaleString('en-US')} steps × ${ms(e.search.stepMs)})`);
  if (e.train) {
    const evals = e.train.evalSeconds >= 1 ? ` + evaluation ${humanDuration(e.train.evalSeconds)}` : '';
    parts.push(`stage 2 ≈ ${humanDuration(e.train.seconds)} (${e.train.steps.toLocaleString('en-US')} steps × ${ms(e.train.stepMs)}${evals})`);
  }
  const how = e.cached ? "this machine's earlier probe" : `a ${e.probeSeconds.toFixed(1)} s probe`;
  return `estimate on ${e.backend}: ${parts.join(', ')}; total ≈ ${humanDuration(e.totalSeconds)} (from ${how})`;
}

/** Print the estimate; a failure here is left for the run itself to report. */
export async function printRunEstimate(o: RunOptions, out: NodeJS.WritableStream = process.stderr): Promise<void> {
  try {
    out.write(describeEstimate(await estimateForOptions(o)) + '\n');
  } catch {
    // The run opens the same data and backend next and names the problem there.
  }
}

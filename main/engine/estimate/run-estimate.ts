// The expected wall time of a run's stages, before it starts: per-step times from a short probe
// of the actual network on the actual backend (or from the cache of earlier probes on this
// machine), times the steps the run will take, plus stage 2's evaluation after every epoch.
// Stage 2's sizes are unknown before the search; the probe uses the uniform size whose
// parameter count is nearest the budget (in CIFAR ResNets each stage's convs do the same work
// per parameter, so the cost follows the parameter count). Stage 1 is probed as it starts.
import { createHash } from 'node:crypto';
import type { RunEstimate } from '../../contract/estimate';
import type { RunStages } from '../../contract/run';
import type { NetworkSpec } from '../models/backbone';
import { countParams, uniformSizes } from '../models/params';
import { EVAL_BATCH, probeStepTimes, type ProbeCounts, type ProbeData } from './probe-steps';

/** Bump when the engine's step costs change enough that cached probes mislead. */
export const TIMING_VERSION = 1;

export interface EstimateInput {
  net: NetworkSpec;
  budget: number | null;
  /** The sizes stage 2 trains when they are known (a config); else derived from the budget. */
  sizes: number[] | null;
  stages: RunStages;
  backend: { name: string; device: string };
  searchEpochs: number;
  trainEpochs: number;
  batchSize: number;
  trainBatchSize: number;
  /** Images the run uses (after --limit-train / --limit-test). */
  trainImages: number;
  testImages: number;
  seed: number;
}

/** What the engine measures; the Api adds whether the machine was busy meanwhile. */
export type ProbedEstimate = Omit<RunEstimate, 'probedWhileBusy'>;

export interface StageTimings {
  stepMs: number;
  /** Stage 2 only. */
  evalMsPerImage?: number | null;
}

/** Where earlier probes are kept (per machine); keys already name the backend, device and network. */
export interface TimingCache {
  get(key: string): StageTimings | null;
  set(key: string, timings: StageTimings): void;
}

/** The uniform kernel size whose parameter count is nearest the budget, on every searched layer. */
export function budgetSizes(net: NetworkSpec, budget: number): number[] {
  let best = 1;
  for (let s = 1; s <= 7; s++) if (Math.abs(countParams(net, uniformSizes(net, s)) - budget) < Math.abs(countParams(net, uniformSizes(net, best)) - budget)) best = s;
  return uniformSizes(net, best);
}

function networkSignature(net: NetworkSpec): string {
  return createHash('sha256').update(JSON.stringify({ input: net.input, classes: net.classes, backbone: net.backbone, layers: net.layers, fixed: net.fixed.length })).digest('hex').slice(0, 16);
}

/** A batch never holds more images than the split (the sampler takes min(batch, images)). */
const effectiveBatch = (batch: number, images: number): number => Math.max(1, Math.min(batch, images));

export function timingKeys(i: EstimateInput, trainSizes: number[] | null): { search: string | null; train: string | null } {
  const base = `v${TIMING_VERSION}|${i.backend.name}|${i.backend.device}|${networkSignature(i.net)}`;
  return {
    search: i.stages !== 'train' ? `${base}|search|batch ${effectiveBatch(i.batchSize, i.trainImages)}` : null,
    train: i.stages !== 'search' && trainSizes ? `${base}|train|sizes ${trainSizes.join(',')}|batch ${effectiveBatch(i.trainBatchSize, i.trainImages)}|eval ${EVAL_BATCH}` : null,
  };
}

/** Steps and seconds from per-step timings and the run's counts. */
export function stageEstimates(i: EstimateInput, search: StageTimings | null, train: StageTimings | null): Pick<ProbedEstimate, 'search' | 'train' | 'totalSeconds'> {
  const perEpoch = (batch: number) => Math.floor(i.trainImages / effectiveBatch(batch, i.trainImages));
  const s = search && i.stages !== 'train'
    ? (() => {
        const steps = perEpoch(i.batchSize) * i.searchEpochs;
        return { steps, stepMs: search.stepMs, seconds: (steps * search.stepMs) / 1000, evalSeconds: 0 };
      })()
    : null;
  const t = train && i.stages !== 'search'
    ? (() => {
        const steps = perEpoch(i.trainBatchSize) * i.trainEpochs;
        const evalSeconds = ((train.evalMsPerImage ?? 0) * i.testImages * i.trainEpochs) / 1000;
        return { steps, stepMs: train.stepMs, seconds: (steps * train.stepMs) / 1000 + evalSeconds, evalSeconds };
      })()
    : null;
  return { search: s, train: t, totalSeconds: (s?.seconds ?? 0) + (t?.seconds ?? 0) };
}

/**
 * Estimate a run: cached timings where this machine has them for the same backend, device,
 * network and batch size, a probe for the rest (whose results are cached). `data` makes the
 * probe's batches (the run's data at its batch sizes) only when a probe is needed.
 */
export async function estimateRun(i: EstimateInput, data: () => ProbeData, cache?: TimingCache, counts?: ProbeCounts): Promise<ProbedEstimate> {
  const trainSizes = i.stages === 'search' ? null : (i.sizes ?? (i.budget !== null ? budgetSizes(i.net, i.budget) : null));
  const keys = timingKeys(i, trainSizes);
  let search = keys.search ? (cache?.get(keys.search) ?? null) : null;
  let train = keys.train ? (cache?.get(keys.train) ?? null) : null;
  const needSearch = keys.search !== null && search === null;
  const needTrain = keys.train !== null && train === null;
  let probeSeconds = 0;
  if (needSearch || needTrain) {
    const d = data();
    const t = await probeStepTimes(
      { net: i.net, budget: needSearch ? i.budget : null, trainSizes: needTrain ? trainSizes : null, seed: i.seed },
      { search: needSearch ? d.search : undefined, train: needTrain ? d.train : undefined, eval: needTrain ? d.eval : undefined },
      counts,
    );
    probeSeconds = t.probeSeconds;
    if (needSearch && t.searchStepMs !== null) {
      search = { stepMs: t.searchStepMs };
      cache?.set(keys.search!, search);
    }
    if (needTrain && t.trainStepMs !== null) {
      train = { stepMs: t.trainStepMs, evalMsPerImage: t.evalMsPerImage };
      cache?.set(keys.train!, train);
    }
  }
  return {
    ...stageEstimates(i, search, train),
    trainSizes, cached: !needSearch && !needTrain, probeSeconds, backend: i.backend.name, device: i.backend.device,
  };
}

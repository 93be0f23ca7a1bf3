// One run from options to results: pick the backend, open the data, search (stage 1),
// train (stage 2), and return the learned config. executeStoredRun drives it for a recorded
// run; it records nothing itself.
import type { EffconvConfig, SearchRecord, TrainRecord, WeightsRecord } from '../../contract/config';
import { EffconvError } from '../../contract/errors';
import type { TrainEvent } from '../../contract/events';
import type { RunOptions, RunSummary } from '../../contract/run';
import { limitSplit, type ImageSet } from '../../data/image-set';
import { openDataset } from '../../data/resolve';
import { EvalSampler, TrainSampler, type Augment } from '../../data/sampler';
import { initBackend } from '../../engine/backends/init';
import { buildConfig, checkConfig } from '../../engine/config';
import { DEFAULT_SEARCH_HYPERPARAMETERS } from '../../engine/effconv/search-model';
import { describeNetwork, parseBackbone, type NetworkSpec } from '../../engine/models/backbone';
import { checkBudgetReachable, parseBudget } from '../../engine/models/params';
import type { TrainHooks } from '../../engine/train/hooks';
import { DEFAULT_TRAIN } from '../../engine/train/run-train';
import { machineRecord } from './machine';
import { StageRunner, type RunControl } from './resumable-stages';
import type { WeightsSink } from './run-outputs';
import type { SearchDone } from './run-state';

export interface RunResult {
  summary: RunSummary;
  config: EffconvConfig;
}

export function defaultAugment(data: Pick<ImageSet, 'height' | 'flipSafe'>): Augment {
  return { crop: data.height >= 32 ? 4 : 2, flip: data.flipSafe };
}

function positiveInt(v: number, field: string, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new EffconvError('INVALID_ARGUMENT', `${field} must be an integer >= ${min}, got ${v}`, field);
}

/** Validate everything that can be checked before any data is read or backend started. */
export function planNetwork(o: RunOptions, data: Pick<ImageSet, 'height' | 'width' | 'channels' | 'classes'>): { net: NetworkSpec; budget: number | null; sizes: number[] | null } {
  const input = { height: data.height, width: data.width, channels: data.channels };
  if (o.config !== undefined) {
    const { net, sizes, config } = checkConfig(o.config, { recomputeParams: true });
    if (net.input.height !== input.height || net.input.width !== input.width || net.input.channels !== input.channels) {
      throw new EffconvError('CONFIG_INVALID', `config input is ${net.input.height}×${net.input.width}×${net.input.channels} but the dataset is ${input.height}×${input.width}×${input.channels}`, 'input');
    }
    if (net.classes !== data.classes) throw new EffconvError('CONFIG_INVALID', `config has ${net.classes} classes but the dataset has ${data.classes}`, 'classes');
    return { net, budget: config.params.budget, sizes };
  }
  const net = describeNetwork(parseBackbone(o.backbone), input, data.classes);
  const budget = parseBudget(o.budget);
  checkBudgetReachable(net, budget);
  return { net, budget, sizes: null };
}

/**
 * `control` makes the run resumable: it is told when the run starts, gets its state at every
 * checkpoint, and may give a state to continue from. With `weights`, stage 2 saves its trained
 * weights there when it ends; the config records them.
 */
export async function executeRun(o: RunOptions, hooks: TrainHooks = {}, control: RunControl = {}, weights?: WeightsSink): Promise<RunResult> {
  positiveInt(o.batchSize, 'batchSize');
  positiveInt(o.trainBatchSize, 'trainBatchSize');
  positiveInt(o.searchEpochs, 'searchEpochs', o.stages === 'train' ? 0 : 1);
  positiveInt(o.trainEpochs, 'trainEpochs', o.stages === 'search' ? 0 : 1);
  if (o.stages === 'train' && o.config === undefined) throw new EffconvError('INVALID_ARGUMENT', 'stage 2 alone needs a learned config', 'config');
  const data = openDataset(o.dataset);
  const plan = planNetwork(o, data);
  const backend = await initBackend(o.backend);
  const emit = (e: TrainEvent) => hooks.onEvent?.(e);
  const train = limitSplit(data.train, o.limitTrain);
  const test = limitSplit(data.test, o.limitTest);
  const augment: Augment = { ...defaultAugment(data), ...(o.crop !== undefined ? { crop: o.crop } : {}), ...(o.flip !== undefined ? { flip: o.flip } : {}) };
  emit({ type: 'log', level: 'info', message: `backend ${backend.name}: ${backend.device}; dataset ${data.name}: ${train.count} train / ${test.count} test, ${data.height}×${data.width}×${data.channels}, ${data.classes} classes` });
  const { train: _t, test: _s, ...meta } = data;
  control.started?.({ backend: backend.name, device: backend.device, dataset: { ...meta, trainCount: data.train.count, testCount: data.test.count, spec: o.dataset }, layers: plan.net.layers.map((l) => l.name) });
  const stages = new StageRunner(control, { name: data.name, sha256: data.sha256 }, backend.name);

  let sizes = plan.sizes;
  let soft: number[] | null = null;
  let search: SearchRecord | null = null;
  let searchDone: SearchDone | null = null;
  if (o.stages !== 'train') {
    const hyper = { ...DEFAULT_SEARCH_HYPERPARAMETERS, batchSize: o.batchSize };
    const r = await stages.search(
      { net: plan.net, budget: plan.budget!, epochs: o.searchEpochs, seed: o.seed, hyper, backend: backend.name },
      new TrainSampler(data, train, o.batchSize, o.seed, augment),
      hooks,
    );
    searchDone = r;
    sizes = r.hard;
    soft = r.soft;
    search = { hyperparameters: hyper, epochs: o.searchEpochs, steps: r.steps, seed: o.seed, backend: backend.name, secondsPerEpoch: r.secondsPerEpoch };
  }
  let trainRecord: TrainRecord | null = null;
  let top1: number | null = null;
  let top5: number | null = null;
  let saved: WeightsRecord | null = null;
  if (o.stages !== 'search') {
    const lr = o.lr ?? DEFAULT_TRAIN.lr;
    const batches = new TrainSampler(data, train, o.trainBatchSize, o.seed + 1, augment);
    const r = await stages.train(
      { net: plan.net, sizes: sizes!, epochs: o.trainEpochs, seed: o.seed, lr, momentum: DEFAULT_TRAIN.momentum, weightDecay: DEFAULT_TRAIN.weightDecay, backend: backend.name },
      batches,
      new EvalSampler(data, test),
      hooks,
      searchDone,
      weights ? async (model) => void (saved = await weights.writeWeights(model.store, batches.batchesPerEpoch * o.trainEpochs)) : undefined,
    );
    top1 = r.top1;
    top5 = r.top5;
    trainRecord = {
      epochs: o.trainEpochs, batchSize: o.trainBatchSize, lr, momentum: DEFAULT_TRAIN.momentum, weightDecay: DEFAULT_TRAIN.weightDecay,
      seed: o.seed, backend: backend.name, secondsPerEpoch: r.secondsPerEpoch, augment,
    };
  }
  const dataset = { name: data.name, sha256: data.sha256, source: o.dataset, trainImages: train.count, testImages: test.count };
  const config: EffconvConfig = {
    ...buildConfig({
      net: plan.net, sizes: sizes!, soft: soft ?? undefined, budget: plan.budget, search, train: trainRecord, dataset,
      results: o.stages === 'search' ? null : { top1, top5 },
    }),
    normalization: { mean: data.mean, std: data.std },
    weights: saved,
    machine: machineRecord(backend.device),
  };
  return {
    config,
    summary: {
      backend: backend.name, device: backend.device, dataset, sizes: sizes!, soft, params: config.params.total, budget: plan.budget,
      top1, top5, searchSecondsPerEpoch: search?.secondsPerEpoch ?? null, trainSecondsPerEpoch: trainRecord?.secondsPerEpoch ?? null,
    },
  };
}

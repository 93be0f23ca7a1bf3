// The stage-1 loop: epochs of EffConv steps with events, ETA and cancellation.
import type { SearchHyperparameters } from '../../contract/config';
import type { NetworkSpec } from '../models/backbone';
import { countParams } from '../models/params';
import { SearchModel } from '../effconv/search-model';
import type { TrainBatches } from './batch-source';
import { StepTimer, throwIfCancelled, yieldToEventLoop, type TrainHooks } from './hooks';

export interface SearchRunOptions {
  net: NetworkSpec;
  budget: number;
  epochs: number;
  seed: number;
  hyper: SearchHyperparameters;
  backend: string;
}

export interface SearchOutcome {
  soft: number[];
  hard: number[];
  params: number;
  steps: number;
  secondsPerEpoch: number;
}

/** Where a stage stands: the next batch to train is (epoch, index), both 0-based. */
export interface LoopPosition {
  epoch: number;
  index: number;
}

export interface SearchRunControl {
  /** Continue an existing model from this position (resume); default: a fresh model at 0,0. */
  model?: SearchModel;
  start?: LoopPosition;
  /** Called at every epoch end (and whenever wantsCheckpoint says so) with the next position. */
  checkpoint?: (model: SearchModel, next: LoopPosition, reason: 'epoch' | 'timer' | 'pause') => Promise<void>;
  wantsCheckpoint?: () => 'timer' | 'pause' | null;
}

export async function runSearch(
  o: SearchRunOptions,
  data: TrainBatches,
  hooks: TrainHooks = {},
  control: SearchRunControl = {},
): Promise<SearchOutcome> {
  const emit = hooks.onEvent ?? (() => {});
  const model = control.model ?? new SearchModel(o.net, o.budget, o.hyper, o.seed);
  try {
    const perEpoch = data.batchesPerEpoch;
    const totalSteps = perEpoch * o.epochs;
    const start = control.start ?? { epoch: 0, index: 0 };
    const timer = new StepTimer();
    let { soft, hard } = await model.refreshSizes();
    emit({ type: 'stage', stage: 1, status: 'start', epochs: o.epochs, totalSteps, backend: o.backend, params: countParams(o.net, hard), sizes: hard });
    let epochSeconds = 0;
    let epochsTimed = 0;
    for (let epoch = start.epoch; epoch < o.epochs; epoch++) {
      const t0 = performance.now();
      let lossSum = 0;
      let steps = 0;
      for (let index = epoch === start.epoch ? start.index : 0; index < perEpoch; index++) {
        throwIfCancelled(hooks.signal);
        const batch = await data.batch(epoch, index);
        if (index + 1 < perEpoch) data.prefetch?.(epoch, index + 1);
        else if (epoch + 1 < o.epochs) data.prefetch?.(epoch + 1, 0);
        const ts = performance.now();
        const m = await model.step(batch);
        const ms = performance.now() - ts;
        timer.add(ms);
        const step = epoch * perEpoch + index + 1;
        lossSum += m.loss;
        steps += 1;
        emit({
          type: 'step', stage: 1, epoch: epoch + 1, step, stepInEpoch: index + 1, stepsPerEpoch: perEpoch, totalSteps,
          loss: m.loss, ce: m.ce, lparam: m.lparam, params: m.params, soft: m.soft, hard: m.hard,
          lr: o.hyper.lrSizePredictor, ms, etaSeconds: timer.etaSeconds(totalSteps - step),
        });
        const why = control.wantsCheckpoint?.();
        if (why && control.checkpoint && index + 1 < perEpoch) {
          await control.checkpoint(model, { epoch, index: index + 1 }, why);
        }
        await yieldToEventLoop();
      }
      const seconds = (performance.now() - t0) / 1000;
      if (steps === perEpoch) {
        epochSeconds += seconds;
        epochsTimed += 1;
      }
      ({ soft, hard } = model.sizes);
      emit({ type: 'epoch', stage: 1, epoch: epoch + 1, epochs: o.epochs, seconds, trainLoss: lossSum / Math.max(steps, 1), params: countParams(o.net, hard), soft, hard });
      if (control.checkpoint) await control.checkpoint(model, { epoch: epoch + 1, index: 0 }, 'epoch');
    }
    ({ soft, hard } = model.sizes);
    const params = countParams(o.net, hard);
    emit({ type: 'stage', stage: 1, status: 'end', epochs: o.epochs, totalSteps, backend: o.backend, params, sizes: hard });
    return { soft, hard, params, steps: totalSteps, secondsPerEpoch: epochsTimed ? epochSeconds / epochsTimed : 0 };
  } finally {
    if (!control.model) model.dispose();
  }
}

// The stage-2 loop: train the found CNN with SGD + Nesterov and a per-step cosine schedule,
// evaluating top-1/top-5 on the test split after every epoch.
import type { NetworkSpec } from '../models/backbone';
import { countParams } from '../models/params';
import type { EvalBatches, TrainBatches } from './batch-source';
import { StepTimer, throwIfCancelled, yieldToEventLoop, type TrainHooks } from './hooks';
import { PlainModel, type EvalResult } from './plain-model';
import type { LoopPosition } from './run-search';
import { cosineLr } from './schedule';

export interface TrainRunOptions {
  net: NetworkSpec;
  sizes: number[];
  epochs: number;
  seed: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  backend: string;
}

export const DEFAULT_TRAIN = { lr: 0.1, momentum: 0.9, weightDecay: 5e-4, batchSize: 128 };

export interface TrainOutcome {
  params: number;
  top1: number | null;
  top5: number | null;
  testLoss: number | null;
  secondsPerEpoch: number;
  steps: number;
}

export interface TrainRunControl {
  model?: PlainModel;
  start?: LoopPosition;
  /** The test result of the last finished epoch, when resuming (what the run reports if no epoch is left). */
  lastEval?: EvalResult | null;
  checkpoint?: (model: PlainModel, next: LoopPosition, reason: 'epoch' | 'timer' | 'pause', last: EvalResult | null) => Promise<void>;
  wantsCheckpoint?: () => 'timer' | 'pause' | null;
  /** Called once at the end with the trained model, before it is disposed (to save weights). */
  finished?: (model: PlainModel) => Promise<void>;
}

export function createPlainModel(o: TrainRunOptions): PlainModel {
  return new PlainModel(o.net, o.sizes, o.seed, { lr: o.lr, momentum: o.momentum, weightDecay: o.weightDecay, nesterov: true });
}

export async function runTrain(
  o: TrainRunOptions,
  train: TrainBatches,
  test: EvalBatches | null,
  hooks: TrainHooks = {},
  control: TrainRunControl = {},
): Promise<TrainOutcome> {
  const emit = hooks.onEvent ?? (() => {});
  const model = control.model ?? createPlainModel(o);
  try {
    const perEpoch = train.batchesPerEpoch;
    const totalSteps = perEpoch * o.epochs;
    const params = countParams(o.net, o.sizes);
    const start = control.start ?? { epoch: 0, index: 0 };
    const timer = new StepTimer();
    emit({ type: 'stage', stage: 2, status: 'start', epochs: o.epochs, totalSteps, backend: o.backend, params, sizes: o.sizes });
    let last: EvalResult | null = control.lastEval ?? null;
    let trainSeconds = 0;
    let epochsTimed = 0;
    for (let epoch = start.epoch; epoch < o.epochs; epoch++) {
      const t0 = performance.now();
      let lossSum = 0;
      let accSum = 0;
      let steps = 0;
      for (let index = epoch === start.epoch ? start.index : 0; index < perEpoch; index++) {
        throwIfCancelled(hooks.signal);
        const batch = await train.batch(epoch, index);
        if (index + 1 < perEpoch) train.prefetch?.(epoch, index + 1);
        else if (epoch + 1 < o.epochs) train.prefetch?.(epoch + 1, 0);
        const step = epoch * perEpoch + index + 1;
        const lr = cosineLr(o.lr, step - 1, totalSteps);
        const ts = performance.now();
        const r = await model.step(batch, lr);
        const ms = performance.now() - ts;
        timer.add(ms);
        lossSum += r.loss;
        accSum += r.acc;
        steps += 1;
        emit({
          type: 'step', stage: 2, epoch: epoch + 1, step, stepInEpoch: index + 1, stepsPerEpoch: perEpoch, totalSteps,
          loss: r.loss, acc: r.acc, lr, ms, etaSeconds: timer.etaSeconds(totalSteps - step),
        });
        const why = control.wantsCheckpoint?.();
        if (why && control.checkpoint && index + 1 < perEpoch) await control.checkpoint(model, { epoch, index: index + 1 }, why, last);
        await yieldToEventLoop();
      }
      const seconds = (performance.now() - t0) / 1000;
      if (steps === perEpoch) {
        trainSeconds += seconds;
        epochsTimed += 1;
      }
      throwIfCancelled(hooks.signal);
      last = test ? await model.evaluate(test) : null;
      emit({
        type: 'epoch', stage: 2, epoch: epoch + 1, epochs: o.epochs, seconds,
        trainLoss: lossSum / Math.max(steps, 1), trainAcc: accSum / Math.max(steps, 1),
        top1: last?.top1 ?? null, top5: last?.top5 ?? null, testLoss: last?.loss, params,
      });
      if (control.checkpoint) await control.checkpoint(model, { epoch: epoch + 1, index: 0 }, 'epoch', last);
    }
    if (control.finished) await control.finished(model);
    emit({ type: 'stage', stage: 2, status: 'end', epochs: o.epochs, totalSteps, backend: o.backend, params, sizes: o.sizes });
    return {
      params, top1: last?.top1 ?? null, top5: last?.top5 ?? null, testLoss: last?.loss ?? null,
      secondsPerEpoch: epochsTimed ? trainSeconds / epochsTimed : 0, steps: totalSteps,
    };
  } finally {
    if (!control.model) model.dispose();
  }
}

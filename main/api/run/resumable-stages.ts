// The two stages as the pipeline runs them when a run can be checkpointed and resumed: each
// starts fresh or from a saved state, hands its state to `checkpoint` at every epoch end (and
// when asked between steps), and reports seconds per epoch across every process that worked
// on the run (the time each spent, never the downtime between them).
import type { Stage, TrainEvent } from '../../contract/events';
import type { ImageSetMeta } from '../../data/image-set';
import { SearchModel } from '../../engine/effconv/search-model';
import type { EvalBatches, TrainBatches } from '../../engine/train/batch-source';
import type { TrainHooks } from '../../engine/train/hooks';
import { runSearch, type SearchRunOptions } from '../../engine/train/run-search';
import type { PlainModel } from '../../engine/train/plain-model';
import { createPlainModel, runTrain, type TrainOutcome, type TrainRunOptions } from '../../engine/train/run-train';
import { checkResumable, emptyEpoch, emptyTiming, type CheckpointReason, type EpochSoFar, type SavedRunState, type SearchDone } from './run-state';
import { EffconvError } from '../../contract/errors';
import type { KernelMaps } from '../../contract/api';
import type { NetworkSpec } from '../../engine/models/backbone';
import { searchKernelMaps, trainedKernelMaps } from './kernel-maps';

const layerNames = (net: NetworkSpec): string[] => net.layers.map((l) => l.name);

export interface RunStartInfo {
  backend: string;
  device: string;
  /** The dataset as opened, with its whole splits' sizes (--limit-train/--limit-test are the run's options). */
  dataset: ImageSetMeta & { trainCount: number; testCount: number; spec: string };
  /** Searched layer names, in the order of every sizes array. */
  layers: string[];
}

/** How a caller makes a run resumable; every field is optional (a plain run passes none). */
export interface RunControl {
  /** Once the backend and data are ready, before the first step. */
  started?(info: RunStartInfo): void;
  /** Continue from this state instead of starting fresh. */
  resume?: SavedRunState | null;
  /** `kernelMaps` is what the model's kernels look like at this checkpoint (for the UI). */
  checkpoint?(state: SavedRunState, kernelMaps: KernelMaps): void | Promise<void>;
  /** Asked after every step: checkpoint now ('timer'), or checkpoint and stop ('pause')? */
  wantsCheckpoint?(): 'timer' | 'pause' | null;
}

type StageState = Omit<SavedRunState, 'dataset' | 'backend' | 'timing' | 'epochSoFar'>;

export class StageRunner {
  readonly timing: SavedRunState['timing'];
  private epoch: EpochSoFar = emptyEpoch();
  /** When the current epoch began in this process, and how long it had run in earlier ones. */
  private epochStart = performance.now();
  private epochBefore = 0;

  constructor(
    private readonly control: RunControl,
    private readonly dataset: { name: string; sha256: string | null },
    private readonly backend: string,
  ) {
    this.timing = structuredClone(control.resume?.timing ?? emptyTiming());
  }

  secondsPerEpoch(stage: Stage): number {
    const t = this.timing[stage];
    return t.epochs ? t.seconds / t.epochs : 0;
  }

  /**
   * Sum each epoch's steps here as the loop does, starting from the checkpoint's sums when the
   * epoch was resumed part-way, so its epoch row (mean loss, accuracy, seconds) covers all of its
   * steps, bit for bit the same as without the interruption.
   */
  private tracked(hooks: TrainHooks, stage: Stage, resume: SavedRunState | null): TrainHooks {
    this.epoch = resume && resume.next.index > 0 ? { ...resume.epochSoFar } : emptyEpoch();
    this.epochBefore = this.epoch.seconds;
    this.epochStart = performance.now();
    return {
      ...hooks,
      onEvent: (e: TrainEvent) => {
        if (e.type === 'step' && e.stage === stage) {
          this.epoch.lossSum += e.loss;
          this.epoch.accSum += e.acc ?? 0;
          this.epoch.steps += 1;
        } else if (e.type === 'epoch' && e.stage === stage) {
          const n = Math.max(this.epoch.steps, 1);
          const seconds = e.seconds + this.epochBefore;
          e = { ...e, seconds, trainLoss: this.epoch.lossSum / n, ...(stage === 2 ? { trainAcc: this.epoch.accSum / n } : {}) };
          this.timing[stage].seconds += seconds;
          this.timing[stage].epochs += 1;
          this.epoch = emptyEpoch();
          this.epochBefore = 0;
          this.epochStart = performance.now();
        }
        hooks.onEvent?.(e);
      },
    };
  }

  private saver(): ((s: StageState, maps: KernelMaps) => Promise<void>) | undefined {
    const save = this.control.checkpoint;
    if (!save) return undefined;
    return async (s, maps) => {
      const epochSoFar = s.next.index > 0 ? { ...this.epoch, seconds: this.epochBefore + (performance.now() - this.epochStart) / 1000 } : emptyEpoch();
      await save({ ...s, dataset: this.dataset, backend: this.backend, timing: structuredClone(this.timing), epochSoFar }, maps);
    };
  }

  private resumeFor(stage: Stage, stepsPerEpoch: number): SavedRunState | null {
    const r = this.control.resume;
    if (!r) return null;
    checkResumable(r, { stage, stepsPerEpoch, dataset: this.dataset, backend: this.backend });
    return r.stage === stage ? r : null;
  }

  async search(o: SearchRunOptions, data: TrainBatches, hooks: TrainHooks): Promise<SearchDone> {
    if (this.control.resume?.stage === 2) {
      const done = this.control.resume.search;
      if (!done) throw new EffconvError('RUN_STATE', 'the stage-2 checkpoint has no stage-1 result to continue from', 'checkpoint');
      return done;
    }
    const resume = this.resumeFor(1, data.batchesPerEpoch);
    const save = this.saver();
    const model = new SearchModel(o.net, o.budget, o.hyper, o.seed);
    try {
      if (resume) await model.setState({ params: resume.params, optimizers: { sizeAndCnn: resume.optimizers.sizeAndCnn, kernel: resume.optimizers.kernel } });
      const r = await runSearch(o, data, this.tracked(hooks, 1, resume), {
        model,
        start: resume?.next,
        wantsCheckpoint: this.control.wantsCheckpoint,
        checkpoint: save
          ? async (m, next, reason: CheckpointReason) => {
              const st = await m.getState();
              const { soft, hard } = m.sizes;
              const maps = await searchKernelMaps(m, layerNames(o.net));
              await save({ stage: 1, next, reason, stepsPerEpoch: data.batchesPerEpoch, params: st.params, optimizers: st.optimizers, soft, hard, search: null, lastEval: null }, maps);
            }
          : undefined,
      });
      return { soft: r.soft, hard: r.hard, steps: r.steps, secondsPerEpoch: this.secondsPerEpoch(1) };
    } finally {
      model.dispose();
    }
  }

  /** `finished` gets the trained model at the end of stage 2 (to save its weights). */
  async train(
    o: TrainRunOptions, train: TrainBatches, test: EvalBatches | null, hooks: TrainHooks, search: SearchDone | null,
    finished?: (model: PlainModel) => Promise<void>,
  ): Promise<TrainOutcome> {
    const resume = this.resumeFor(2, train.batchesPerEpoch);
    if (resume && resume.hard.join(',') !== o.sizes.join(',')) {
      throw new EffconvError('RUN_STATE', `the checkpoint trains sizes ${resume.hard.join(' ')}, not ${o.sizes.join(' ')}`, 'checkpoint');
    }
    const save = this.saver();
    const model = createPlainModel(o);
    try {
      if (resume) model.setState({ params: resume.params, optimizer: resume.optimizers.sgd });
      const r = await runTrain(o, train, test, this.tracked(hooks, 2, resume), {
        model,
        start: resume?.next,
        lastEval: resume?.lastEval,
        finished,
        wantsCheckpoint: this.control.wantsCheckpoint,
        checkpoint: save
          ? async (m, next, reason, last) => {
              const st = await m.getState();
              const maps = await trainedKernelMaps(m, layerNames(o.net));
              await save({
                stage: 2, next, reason, stepsPerEpoch: train.batchesPerEpoch, params: st.params, optimizers: { sgd: st.optimizer },
                soft: search?.soft ?? null, hard: o.sizes, search, lastEval: last,
              }, maps);
            }
          : undefined,
      });
      return { ...r, secondsPerEpoch: this.secondsPerEpoch(2) };
    } finally {
      model.dispose();
    }
  }
}

// The runs half of the Api: lists, a run's detail and charts, the Pareto view, starting,
// retraining, pausing, resuming, cancelling and deleting runs, and the metrics CSV. Runs are
// recorded here and executed by the shell's executor (processes/); its events are
// republished as PushEvents. Arguments arrive validated by the contract's schemas.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Api, KernelMaps, PushEvent, RetrainRequest, RunDetail, RunMetrics, Series, StartRunRequest } from '../../contract/api';
import { EffconvError } from '../../contract/errors';
import type { RunOptions } from '../../contract/run';
import { STEP_METRICS, type ExperimentSummary, type Page, type ParetoPoint, type RunQuery, type RunRow, type SizeHistory } from '../../contract/store';
import { validateConfigFile } from '../../export/config-validate';
import {
  findExperimentId, getRunRecord, listArtifacts, listExperiments, listRuns, metricsCsv, metricSeries, paretoView, sizeHistory, type Store,
} from '../../store';
import type { CheckpointMeta } from '../run/checkpoints';
import type { RunExecutor } from '../processes/run-executor';
import type { TaskRunner } from '../processes/tasks';
import { learnedConfig, retrainOptions } from '../records/learned-config';
import { deleteExperiment, deleteRun } from '../records/run-records';

export type RunApi = Pick<
  Api,
  | 'listRuns' | 'listExperiments' | 'getRun' | 'runMetrics' | 'runSizes' | 'runKernels' | 'pareto' | 'startRun' | 'retrainRun'
  | 'pauseRun' | 'resumeRun' | 'cancelRun' | 'deleteRun' | 'deleteExperiment' | 'metricsCsv'
>;

export interface RunServiceOptions {
  store: Store;
  executor: RunExecutor;
  tasks: TaskRunner;
  publish: (e: PushEvent) => void;
  /** Every run's own folder is made under this one. */
  runsRoot: string;
}

/** Means as columns named by metric, with `<metric>_min` / `<metric>_max` bands when steps were bucketed; gaps are NaN. */
function toSeries(store: Store, runId: number, stage: 1 | 2, maxPoints: number): Series {
  const s = metricSeries(store, runId, stage, maxPoints);
  const columns: Record<string, number[]> = {};
  const nan = (v: (number | null)[]) => v.map((x) => x ?? Number.NaN);
  for (const m of STEP_METRICS) {
    if (s.metrics[m].mean.every((v) => v === null)) continue;
    columns[m] = nan(s.metrics[m].mean);
    if (s.bucket > 1) {
      columns[`${m}_min`] = nan(s.metrics[m].min);
      columns[`${m}_max`] = nan(s.metrics[m].max);
    }
  }
  return { step: s.step, columns };
}

/**
 * A config file, or a run folder standing for its config.json, read and checked as `config
 * validate` does, except that params.total follows the layers (a hand edit of a size trains).
 */
function configFromFile(path: string): unknown {
  const file = statSync(path, { throwIfNoEntry: false })?.isDirectory() ? join(path, 'config.json') : path;
  return validateConfigFile(file, { recomputeParams: true }).config;
}

/** Kernel maps recorded with checkpoints older than this version of the app are drawn in a task; remember the last few. */
const KERNEL_MAP_CACHE = 32;

export function createRunService(o: RunServiceOptions): RunApi & { dispose(): void } {
  const { store, executor, tasks, publish } = o;
  const off = executor.subscribe((e) => {
    if (e.type === 'train') publish({ kind: 'run', runId: e.runId, event: e.event });
    else publish({ kind: 'run-status', runId: e.runId, status: e.status, error: e.error });
  });
  const drawn = new Map<number, KernelMaps>();

  return {
    dispose: off,

    async listRuns(q: RunQuery): Promise<Page<RunRow>> {
      if (q.experiment !== undefined && findExperimentId(store, q.experiment) === null) {
        throw new EffconvError('EXPERIMENT_NOT_FOUND', `no experiment named "${q.experiment}"`, 'experiment');
      }
      return listRuns(store, q);
    },

    async listExperiments(): Promise<ExperimentSummary[]> {
      const out: ExperimentSummary[] = [];
      for (let offset = 0; ; offset += 1000) {
        const page = listExperiments(store, { sort: 'updated', limit: 1000, offset });
        out.push(...page.items);
        if (out.length >= page.total || page.items.length === 0) return out;
      }
    },

    async getRun(id: number): Promise<RunDetail> {
      const d = getRunRecord(store, id);
      let config = null;
      if (d.status === 'completed') {
        try {
          config = learnedConfig(store, id);
        } catch {
          // A moved or edited config.json: the run's own rows still say what it learned.
        }
      }
      return { ...d, config };
    },

    async runMetrics(id: number, maxPoints: number): Promise<RunMetrics> {
      const epochs = getRunRecord(store, id).epochs.map((e) => ({ stage: e.stage, epoch: e.epoch, seconds: e.seconds, trainLoss: e.trainLoss ?? Number.NaN, top1: e.top1, top5: e.top5, params: e.params }));
      return { stage1: toSeries(store, id, 1, maxPoints), stage2: toSeries(store, id, 2, maxPoints), epochs };
    },

    async runSizes(id: number, maxPoints: number): Promise<SizeHistory> {
      return sizeHistory(store, id, maxPoints);
    },

    // The run's process records the maps with each checkpoint; this process never loads tfjs.
    async runKernels(id: number): Promise<KernelMaps> {
      getRunRecord(store, id);
      const newest = listArtifacts(store, id, 'checkpoint')[0];
      if (!newest) return { layers: [], source: 'none' };
      const recorded = (newest.meta as unknown as CheckpointMeta).kernelMaps;
      if (recorded) return recorded;
      const hit = drawn.get(newest.id);
      if (hit) return hit;
      const maps = await tasks({ kind: 'kernel-maps', dbPath: store.path, runId: id });
      drawn.set(newest.id, maps);
      if (drawn.size > KERNEL_MAP_CACHE) drawn.delete(drawn.keys().next().value!);
      return maps;
    },

    async pareto(q: { dataset?: string }): Promise<ParetoPoint[]> {
      return paretoView(store, { dataset: q.dataset }).points;
    },

    async startRun(req: StartRunRequest): Promise<{ runId: number }> {
      const options: RunOptions = req.configFile !== undefined ? { ...req.options, config: configFromFile(req.configFile) } : req.options;
      return { runId: executor.submit({ options, experiment: req.experiment, notes: req.notes, outDir: req.outDir, runsRoot: o.runsRoot }).id };
    },

    async retrainRun(id: number, req: RetrainRequest): Promise<{ runId: number }> {
      const { experiment, outDir, ...overrides } = req;
      const options = retrainOptions(store, id, overrides);
      return { runId: executor.submit({ options, experiment: experiment ?? getRunRecord(store, id).experimentId, parentRunId: id, outDir, runsRoot: o.runsRoot }).id };
    },

    async pauseRun(id: number): Promise<void> {
      executor.pause(id);
    },
    async resumeRun(id: number): Promise<void> {
      executor.resume(id);
    },
    async cancelRun(id: number): Promise<void> {
      executor.cancel(id);
    },
    async deleteRun(id: number): Promise<void> {
      deleteRun(store, id);
    },
    async deleteExperiment(id: number): Promise<void> {
      deleteExperiment(store, id);
    },
    async metricsCsv(runIds?: number[]): Promise<string> {
      return metricsCsv(store, { runIds });
    },
  };
}

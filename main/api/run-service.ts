// The run and experiment half of the contract's Api, over the experiment store and a job
// runner: what the desktop and web shells serve for lists, run details, charts, the Pareto
// view, starting/pausing/resuming/cancelling/deleting runs and the CSV export. Job events are
// republished as PushEvents. Arguments arrive validated by the contract's schemas.
import type {
  Api, ExperimentRow, KernelMaps, Page, ParetoPoint, PushEvent, RunDetail, RunMetrics, RunQuery, RunRow, Series, SizeHistory, StartRunRequest,
} from '../contract/api';
import type { RunSummaryRow } from '../contract/store';
import { STEP_METRICS } from '../contract/store';
import {
  getRunDetail, listExperiments, listRuns, metricsCsv, metricSeries, paretoView, sizeHistory, type Store,
} from '../store';
import type { JobRunner } from './jobs';
import { kernelMaps } from './kernel-maps';
import { learnedConfig, retrainOptions } from './learned-config';
import { deleteExperiment, deleteRun } from './runs';

export type RunApi = Pick<
  Api,
  | 'listRuns' | 'listExperiments' | 'getRun' | 'runMetrics' | 'runSizes' | 'runKernels' | 'pareto' | 'startRun' | 'retrainRun'
  | 'pauseRun' | 'resumeRun' | 'cancelRun' | 'deleteRun' | 'deleteExperiment' | 'metricsCsv'
>;

function toRunRow(r: RunSummaryRow): RunRow {
  return {
    id: r.id, experimentId: r.experimentId, experiment: r.experimentName, parentRunId: r.parentRunId, status: r.status, stage: r.progress?.stage ?? 0,
    backbone: r.backbone, dataset: r.dataset, budget: r.budget, params: r.params, top1: r.top1, top5: r.top5, backend: r.backend, seed: r.seed,
    createdAt: r.createdAt, startedAt: r.startedAt, endedAt: r.endedAt, searchSecondsPerEpoch: r.searchSecondsPerEpoch, trainSecondsPerEpoch: r.trainSecondsPerEpoch,
  };
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

export function createRunService(store: Store, runner: JobRunner, publish: (e: PushEvent) => void): RunApi & { dispose(): void } {
  const off = runner.subscribe((e) => {
    if (e.type === 'train') publish({ kind: 'run', runId: e.runId, event: e.event });
    else publish({ kind: 'run-status', runId: e.runId, status: e.status, error: e.error?.message ?? null });
  });
  return {
    dispose: off,

    async listRuns(q: RunQuery): Promise<Page<RunRow>> {
      const page = listRuns(store, {
        text: q.text || undefined, status: q.status?.length ? q.status : undefined, experimentId: q.experimentId, sort: q.sort ?? 'created',
        order: q.desc === false ? 'asc' : 'desc', offset: q.offset ?? 0, limit: q.limit ?? 100,
      });
      return { rows: page.items.map(toRunRow), total: page.total };
    },

    async listExperiments(): Promise<ExperimentRow[]> {
      const out: ExperimentRow[] = [];
      for (let offset = 0; ; offset += 1000) {
        const page = listExperiments(store, { sort: 'updated', limit: 1000, offset });
        out.push(...page.items.map((e) => ({ id: e.id, name: e.name, notes: e.notes, runs: e.runCount, createdAt: e.createdAt, updatedAt: e.updatedAt })));
        if (out.length >= page.total || page.items.length === 0) return out;
      }
    },

    async getRun(id: number): Promise<RunDetail> {
      const d = getRunDetail(store, id);
      let config = null;
      if (d.status === 'completed') {
        try {
          config = learnedConfig(store, id);
        } catch {
          // A moved or edited config.json: the run's own rows still say what it learned.
        }
      }
      return {
        ...toRunRow(d), options: d.options, device: d.device, error: d.error?.message ?? null, config, layers: d.layers ?? [], sizes: d.sizes, soft: d.soft,
        artifacts: d.artifacts.map((a) => ({ kind: a.kind, path: a.path, sha256: a.sha256 ?? '', bytes: a.bytes ?? 0 })),
        progress: d.progress ? { step: d.progress.step, totalSteps: d.progress.totalSteps, etaSeconds: d.progress.etaSeconds } : null,
      };
    },

    async runMetrics(id: number, maxPoints: number): Promise<RunMetrics> {
      const epochs = getRunDetail(store, id).epochs.map((e) => ({ stage: e.stage, epoch: e.epoch, seconds: e.seconds, trainLoss: e.trainLoss ?? Number.NaN, top1: e.top1, top5: e.top5, params: e.params }));
      return { stage1: toSeries(store, id, 1, maxPoints), stage2: toSeries(store, id, 2, maxPoints), epochs };
    },

    async runSizes(id: number, maxPoints: number): Promise<SizeHistory> {
      const h = sizeHistory(store, id, maxPoints);
      return { layers: h.layers ?? [], step: h.step, soft: h.soft, hard: h.hard };
    },

    runKernels: (id: number): Promise<KernelMaps> => kernelMaps(store, id),

    async pareto(q: { dataset?: string }): Promise<ParetoPoint[]> {
      return paretoView(store, { dataset: q.dataset }).points.map((p) => ({
        runId: p.runId, experiment: p.experimentName, backbone: p.backbone, dataset: p.dataset, params: p.params, top1: p.top1, budget: p.budget, onFront: p.onFront,
      }));
    },

    async startRun(req: StartRunRequest): Promise<{ runId: number }> {
      return { runId: runner.submit({ options: req.options, experiment: req.experiment, notes: req.notes }).id };
    },

    async retrainRun(id: number, o: { trainEpochs?: number; seed?: number }): Promise<{ runId: number }> {
      const options = retrainOptions(store, id, { ...(o.trainEpochs !== undefined ? { trainEpochs: o.trainEpochs } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}) });
      return { runId: runner.submit({ options, experiment: getRunDetail(store, id).experimentId, parentRunId: id }).id };
    },

    async pauseRun(id: number): Promise<void> {
      runner.pause(id);
    },
    async resumeRun(id: number): Promise<void> {
      runner.resume(id);
    },
    async cancelRun(id: number): Promise<void> {
      runner.cancel(id);
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

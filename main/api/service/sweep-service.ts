// The sweeps part of the Api: plan a grid (points, reachable budgets) without recording
// anything, record a sweep and hand its points to the shell's executor, read sweeps back, and
// pause, resume, cancel or delete a whole sweep (each point is an ordinary run).
import type { Api, SweepRequest } from '../../contract/api';
import { EffconvError } from '../../contract/errors';
import type { RunStatus } from '../../contract/store';
import type { SweepDetail, SweepPlan, SweepSummary } from '../../contract/sweep';
import { findDataset } from '../../data/library';
import { findExperimentId, findSweepId, getSweepRecord, setSweepCancelled, sweepPointRows, type Store } from '../../store';
import type { RunExecutor } from '../processes/run-executor';
import type { TaskRunner } from '../processes/tasks';
import { canonicalDataset, deleteExperiment } from '../records/run-records';
import { planSweep, type DatasetShape } from '../records/sweep-grid';
import { recordSweep, sweepDetail, sweepSummaries } from '../records/sweeps';

export type SweepApi = Pick<Api, 'planSweep' | 'startSweep' | 'listSweeps' | 'getSweep' | 'pauseSweep' | 'resumeSweep' | 'cancelSweep' | 'deleteSweep'>;

export interface SweepServiceOptions {
  store: Store;
  executor: RunExecutor;
  tasks: TaskRunner;
  runsRoot: string;
}

export function createSweepService(o: SweepServiceOptions): SweepApi {
  const { store, executor } = o;

  /** Every dataset's shape: a library entry's record, or the set opened by path in a task. */
  async function shapes(datasets: string[]): Promise<(d: string) => DatasetShape> {
    const known = new Map<string, DatasetShape>();
    for (const d of datasets) known.set(d, findDataset(d) ?? (await o.tasks({ kind: 'dataset-shape', spec: d })));
    return (d) => known.get(d)!;
  }

  async function plan(req: SweepRequest) {
    const datasets = req.datasets.map(canonicalDataset);
    return planSweep({ ...req, datasets }, await shapes(datasets));
  }

  /** Apply a run-level action to the points in these statuses; points that moved on meanwhile are left as they are. */
  function eachPoint(ref: number | string, statuses: RunStatus[], act: (runId: number) => unknown): number {
    const id = findSweepId(store, ref);
    for (const p of sweepPointRows(store, id)) {
      if (!statuses.includes(p.status)) continue;
      try {
        act(p.runId);
      } catch (e) {
        if (!(e instanceof EffconvError && e.code === 'RUN_STATE')) throw e;
      }
    }
    return id;
  }

  return {
    async planSweep(req): Promise<SweepPlan> {
      return (await plan(req)).plan;
    },

    async startSweep(req): Promise<{ sweepId: number }> {
      const { grid, plan: p, nets } = await plan(req);
      const name = req.name ?? defaultName(store, grid.backbones, grid.datasets, req.budgets);
      const { sweepId, runIds } = recordSweep(store, { name, notes: req.notes ?? '', grid, plan: p, nets, options: req.options, parallel: req.parallel, runsRoot: o.runsRoot });
      executor.enqueue(runIds);
      return { sweepId };
    },

    async listSweeps(): Promise<SweepSummary[]> {
      return sweepSummaries(store);
    },

    async getSweep(ref): Promise<SweepDetail> {
      return sweepDetail(store, findSweepId(store, ref));
    },

    async pauseSweep(ref): Promise<void> {
      eachPoint(ref, ['queued', 'running'], (runId) => executor.pause(runId));
    },

    async resumeSweep(ref): Promise<void> {
      const id = findSweepId(store, ref);
      setSweepCancelled(store, id, false);
      // Points still waiting (their driver was killed before it got to them) go to this executor too.
      executor.enqueue(sweepPointRows(store, id).filter((p) => p.status === 'queued').map((p) => p.runId));
      eachPoint(id, ['paused', 'interrupted', 'cancelled', 'failed'], (runId) => executor.resume(runId));
    },

    async cancelSweep(ref): Promise<void> {
      setSweepCancelled(store, findSweepId(store, ref), true);
      eachPoint(ref, ['queued', 'running', 'paused', 'interrupted'], (runId) => executor.cancel(runId));
    },

    async deleteSweep(ref): Promise<void> {
      deleteExperiment(store, getSweepRecord(store, findSweepId(store, ref)).experimentId);
    },
  };
}

/** "sweep resnet20 · mnist · 0.2M..0.8M:4", numbered when that name is taken. */
function defaultName(store: Store, backbones: string[], datasets: string[], budgets: string): string {
  const data = datasets.map((d) => d.replace(/[\\/]+$/, '').split(/[\\/]/).pop() || d);
  const base = `sweep ${backbones.join('+')} · ${data.join('+')} · ${budgets.replace(/\s+/g, '')}`.slice(0, 180);
  const taken = (n: string) => findExperimentId(store, n) !== null;
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base} (${i})`)) return `${base} (${i})`;
}

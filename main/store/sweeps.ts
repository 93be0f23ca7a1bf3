// Sweeps: a grid over an experiment whose runs are its points. Recording a sweep writes the
// experiment, every point's run (queued) and the grid in one transaction, so a half-made sweep
// never exists; reading one joins each point with its run's row.
import { EffconvError, type SerializedError } from '../contract/errors';
import type { RunOptions } from '../contract/run';
import type { RunStatus } from '../contract/store';
import type { PlannedPoint, SweepGrid, SweepRunOptions } from '../contract/sweep';
import type { Store } from './db';
import { iso, isoOrNull, parseJson } from './rows';
import { insertRun, toRunSummary, type RunsTableRow } from './runs';

export interface NewSweep {
  name: string;
  notes: string;
  grid: SweepGrid;
  options: SweepRunOptions;
  parallel: number;
  /** Each planned point with the options of its run. */
  points: { point: PlannedPoint; options: RunOptions; backbone: string }[];
  runsRoot: string;
}

/** The experiment, the point runs (queued, in grid order) and the sweep, all or nothing; returns the sweep id. */
export function insertSweep(store: Store, s: NewSweep, now = Date.now()): { sweepId: number; experimentId: number; runIds: number[] } {
  return store.write(() => {
    if (store.prepare('SELECT 1 FROM experiments WHERE name = ?').get(s.name)) {
      throw new EffconvError('INVALID_ARGUMENT', `an experiment named "${s.name}" already exists: name the sweep differently (--name)`, 'name');
    }
    const experimentId = Number(
      store.prepare('INSERT INTO experiments (name, notes, options, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(s.name, s.notes, JSON.stringify(s.options), now, now).lastInsertRowid,
    );
    const sweepId = Number(
      store
        .prepare('INSERT INTO sweeps (experiment_id, grid, options, parallel, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(experimentId, JSON.stringify(s.grid), JSON.stringify(s.options), s.parallel, now, now).lastInsertRowid,
    );
    const point = store.prepare('INSERT INTO sweep_points (sweep_id, idx, run_id, kind, backbone, dataset, seed, budget_label, budget) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const runIds = s.points.map(({ point: p, options, backbone }) => {
      const runId = insertRun(store, { experimentId, options, backbone, budget: p.kind === 'search' ? p.budget : null, runsRoot: s.runsRoot }, now);
      point.run(sweepId, p.index, runId, p.kind, p.backbone, p.dataset, p.seed, p.budgetLabel, p.budget);
      return runId;
    });
    return { sweepId, experimentId, runIds };
  });
}

interface SweepsTableRow {
  id: number;
  experiment_id: number;
  name: string;
  notes: string;
  grid: string;
  options: string;
  parallel: number;
  cancelled: number;
  created_at: number;
  updated_at: number;
}

export interface SweepRecord {
  id: number;
  experimentId: number;
  name: string;
  notes: string;
  grid: SweepGrid;
  options: SweepRunOptions;
  parallel: number;
  cancelled: boolean;
  createdAt: string;
  updatedAt: string;
}

const SWEEP_SELECT = 'SELECT s.*, e.name, e.notes FROM sweeps s JOIN experiments e ON e.id = s.experiment_id';

function toRecord(r: SweepsTableRow): SweepRecord {
  return {
    id: r.id, experimentId: r.experiment_id, name: r.name, notes: r.notes,
    grid: parseJson<SweepGrid>(r.grid, 'sweeps.grid')!, options: parseJson<SweepRunOptions>(r.options, 'sweeps.options')!,
    parallel: r.parallel, cancelled: r.cancelled === 1, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
  };
}

export function getSweepRecord(store: Store, id: number): SweepRecord {
  const row = store.prepare<[number], SweepsTableRow>(`${SWEEP_SELECT} WHERE s.id = ?`).get(id);
  if (!row) throw new EffconvError('SWEEP_NOT_FOUND', `sweep ${id} does not exist`, String(id));
  return toRecord(row);
}

/** A sweep named by its id or its name (the experiment's). */
export function findSweepId(store: Store, idOrName: string | number): number {
  const byName = store.prepare<[string], { id: number }>('SELECT s.id FROM sweeps s JOIN experiments e ON e.id = s.experiment_id WHERE e.name = ?').get(String(idOrName));
  if (byName) return byName.id;
  const id = typeof idOrName === 'number' ? idOrName : /^\d+$/.test(idOrName) ? Number(idOrName) : null;
  if (id !== null && store.prepare('SELECT 1 FROM sweeps WHERE id = ?').get(id)) return id;
  throw new EffconvError('SWEEP_NOT_FOUND', `no sweep named or numbered "${idOrName}" (effconv sweep list shows them)`, String(idOrName));
}

/** Every sweep, newest first. */
export function listSweepRecords(store: Store): SweepRecord[] {
  return store.prepare<[], SweepsTableRow>(`${SWEEP_SELECT} ORDER BY s.id DESC`).all().map(toRecord);
}

/** The sweep a run is a point of, if any. */
export function sweepOfRun(store: Store, runId: number): number | null {
  return store.prepare<[number], { sweep_id: number }>('SELECT sweep_id FROM sweep_points WHERE run_id = ?').get(runId)?.sweep_id ?? null;
}

export function setSweepCancelled(store: Store, id: number, cancelled: boolean, now = Date.now()): void {
  store.prepare('UPDATE sweeps SET cancelled = ?, updated_at = ? WHERE id = ?').run(cancelled ? 1 : 0, now, id);
}

export interface StoredSweepPoint extends PlannedPoint {
  runId: number;
  status: RunStatus;
  progress: ReturnType<typeof toRunSummary>['progress'];
  error: SerializedError | null;
  params: number | null;
  top1: number | null;
  top5: number | null;
  sizes: number[] | null;
  layers: string[] | null;
  searchSecondsPerEpoch: number | null;
  trainSecondsPerEpoch: number | null;
  startedAt: string | null;
  endedAt: string | null;
}

interface PointRow extends RunsTableRow {
  idx: number;
  kind: PlannedPoint['kind'];
  point_backbone: string;
  point_dataset: string;
  point_seed: number;
  budget_label: string | null;
  point_budget: number;
}

/** A sweep's points in grid order, each with its run's state and results. */
export function sweepPointRows(store: Store, sweepId: number): StoredSweepPoint[] {
  return store
    .prepare<[number], PointRow>(
      `SELECT r.*, e.name AS experiment_name, p.idx, p.kind, p.backbone AS point_backbone, p.dataset AS point_dataset, p.seed AS point_seed,
              p.budget_label, p.budget AS point_budget
       FROM sweep_points p JOIN runs r ON r.id = p.run_id JOIN experiments e ON e.id = r.experiment_id
       WHERE p.sweep_id = ? ORDER BY p.idx`,
    )
    .all(sweepId)
    .map((r) => {
      const run = toRunSummary(r);
      return {
        index: r.idx, kind: r.kind, backbone: r.point_backbone, dataset: r.point_dataset, seed: r.point_seed, budgetLabel: r.budget_label, budget: r.point_budget,
        runId: r.id, status: run.status, progress: run.progress, error: run.error, params: run.params, top1: run.top1, top5: run.top5, sizes: run.sizes,
        layers: parseJson<string[]>(r.layers, 'runs.layers'), searchSecondsPerEpoch: run.searchSecondsPerEpoch, trainSecondsPerEpoch: run.trainSecondsPerEpoch,
        startedAt: isoOrNull(r.started_at), endedAt: isoOrNull(r.ended_at),
      };
    });
}

/** Queued runs in queue order, each with its sweep's parallel limit and how many of that sweep's points run now (in any process). */
export function queuedRunSlots(store: Store): { id: number; sweepId: number | null; parallel: number | null; runningInSweep: number }[] {
  return store
    .prepare<[], { id: number; sweep_id: number | null; parallel: number | null; running: number | null }>(
      `SELECT r.id, p.sweep_id, s.parallel,
              (SELECT count(*) FROM sweep_points q JOIN runs x ON x.id = q.run_id WHERE q.sweep_id = p.sweep_id AND x.status = 'running') AS running
       FROM runs r LEFT JOIN sweep_points p ON p.run_id = r.id LEFT JOIN sweeps s ON s.id = p.sweep_id
       WHERE r.status = 'queued' AND r.fleet_job IS NULL ORDER BY r.queued_at, r.id`,
    )
    .all()
    .map((r) => ({ id: r.id, sweepId: r.sweep_id, parallel: r.parallel, runningInSweep: r.running ?? 0 }));
}

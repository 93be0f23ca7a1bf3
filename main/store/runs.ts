// Runs: one row per training run, from 'queued' to a final status, with the summary fields
// lists need (so a list of 10,000 runs never touches the metric tables).
import { join } from 'node:path';
import { EffconvError, type SerializedError } from '../contract/errors';
import type { Stage } from '../contract/events';
import type { RunOptions } from '../contract/run';
import { RUN_STATUSES, type Page, type RunProgress, type RunQuery, type RunSortKey, type RunStatus, type RunRow } from '../contract/store';
import type { Store } from './db';
import { finiteOrNull, float32Json, isoOrNull, iso, likePattern, pageLimit, pageOffset, parseJson, sqlOrder } from './rows';

export interface RunsTableRow {
  id: number;
  experiment_id: number;
  experiment_name: string;
  parent_run_id: number | null;
  dataset_id: number | null;
  status: RunStatus;
  options: string;
  stages: RunOptions['stages'];
  seed: number;
  backbone: string;
  dataset: string;
  budget: number | null;
  backend: string;
  device: string | null;
  dir: string;
  out_dir: string | null;
  pid: number | null;
  stage: Stage | null;
  epoch: number | null;
  step: number | null;
  total_steps: number | null;
  eta_seconds: number | null;
  layers: string | null;
  sizes: string | null;
  soft: string | null;
  params: number | null;
  top1: number | null;
  top5: number | null;
  search_s_per_epoch: number | null;
  train_s_per_epoch: number | null;
  error_code: SerializedError['code'] | null;
  error: string | null;
  error_detail: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  updated_at: number;
  request: RunRequest | null;
  pid_token: string | null;
  queued_at: number | null;
  /** Set while the run is on the fleet's queue (schema 3): the BullMQ job executing it. */
  fleet_job: string | null;
  worker: string | null;
  worker_host: string | null;
}

/** What another process may ask of a running run's process. */
export type RunRequest = 'pause' | 'cancel';

export const RUN_SELECT = 'SELECT r.*, e.name AS experiment_name FROM runs r JOIN experiments e ON e.id = r.experiment_id';

export function toRunSummary(r: RunsTableRow): RunRow {
  const progress: RunProgress | null =
    r.stage != null && r.step != null && r.total_steps != null
      ? { stage: r.stage, epoch: r.epoch ?? 0, step: r.step, totalSteps: r.total_steps, etaSeconds: r.eta_seconds }
      : null;
  return {
    id: r.id,
    experimentId: r.experiment_id,
    experimentName: r.experiment_name,
    parentRunId: r.parent_run_id,
    status: r.status,
    stages: r.stages,
    seed: r.seed,
    backbone: r.backbone,
    dataset: r.dataset,
    budget: r.budget,
    backend: r.backend,
    device: r.device,
    params: r.params,
    top1: r.top1,
    top5: r.top5,
    searchSecondsPerEpoch: r.search_s_per_epoch,
    trainSecondsPerEpoch: r.train_s_per_epoch,
    sizes: parseJson<number[]>(r.sizes, 'runs.sizes'),
    progress,
    error: r.error_code ? { code: r.error_code, message: r.error ?? '', detail: r.error_detail ?? '' } : null,
    pid: r.pid,
    worker: r.worker ? { name: r.worker, host: r.worker_host ?? '' } : null,
    createdAt: iso(r.created_at),
    startedAt: isoOrNull(r.started_at),
    endedAt: isoOrNull(r.ended_at),
  };
}

export interface NewRun {
  experimentId: number;
  parentRunId?: number | null;
  options: RunOptions;
  /** Canonical backbone name (resnet20, wrn-28-1, or the config's for stage 2 alone). */
  backbone: string;
  budget: number | null;
  /** Folder under which the run gets its own folder, named by its id. */
  runsRoot: string;
  outDir?: string | null;
}

export function insertRun(store: Store, r: NewRun, now = Date.now()): number {
  const o = r.options;
  return store.write(() => {
    const id = Number(
      store
        .prepare(
          `INSERT INTO runs (experiment_id, parent_run_id, status, options, stages, seed, backbone, dataset, budget, backend, dir, out_dir, created_at, updated_at, queued_at)
           VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?)`,
        )
        .run(r.experimentId, r.parentRunId ?? null, JSON.stringify(o), o.stages, o.seed, r.backbone, o.dataset, r.budget, o.backend, r.outDir ?? null, now, now, now).lastInsertRowid,
    );
    store.prepare('UPDATE runs SET dir = ? WHERE id = ?').run(join(r.runsRoot, String(id)), id);
    store.prepare('UPDATE experiments SET updated_at = ? WHERE id = ?').run(now, r.experimentId);
    return id;
  });
}

/** The run's row, or undefined when there is none (deleted meanwhile). */
export function findRunRow(store: Store, id: number): RunsTableRow | undefined {
  return store.prepare<[number], RunsTableRow>(`${RUN_SELECT} WHERE r.id = ?`).get(id);
}

export function getRunRow(store: Store, id: number): RunsTableRow {
  const row = findRunRow(store, id);
  if (!row) throw new EffconvError('RUN_NOT_FOUND', `run ${id} does not exist`, String(id));
  return row;
}

export function getRunSummary(store: Store, id: number): RunRow {
  return toRunSummary(getRunRow(store, id));
}

/** Delete one run's rows (metrics and artifacts cascade); returns its folder. Children keep their rows, without the link. Refused while it runs. */
export function deleteRunRow(store: Store, id: number): { dir: string } {
  return store.write(() => {
    const row = getRunRow(store, id);
    if (row.status === 'running') throw new EffconvError('RUN_STATE', `run ${id} is running; cancel it first`, String(id));
    store.prepare('DELETE FROM runs WHERE id = ?').run(id);
    store.prepare('UPDATE experiments SET updated_at = ? WHERE id = ?').run(Date.now(), row.experiment_id);
    return { dir: row.dir };
  });
}

/** Take a queued run for this process; false if another process took it first. */
export function claimRun(store: Store, id: number, pid: number, pidToken: string | null, now = Date.now()): boolean {
  const r = store
    .prepare(
      `UPDATE runs SET status = 'running', pid = ?, pid_token = ?, request = NULL, started_at = coalesce(started_at, ?), ended_at = NULL,
         error_code = NULL, error = NULL, error_detail = NULL, updated_at = ? WHERE id = ? AND status = 'queued'`,
    )
    .run(pid, pidToken, now, now, id);
  return r.changes === 1;
}

/** Ask the process running this run to pause or cancel (it reads the request between steps). */
export function requestRun(store: Store, id: number, request: RunRequest, now = Date.now()): void {
  store.prepare('UPDATE runs SET request = ?, updated_at = ? WHERE id = ?').run(request, now, id);
}

export function readRequest(store: Store, id: number): RunRequest | null {
  return store.prepare<[number], { request: RunRequest | null }>('SELECT request FROM runs WHERE id = ?').get(id)?.request ?? null;
}

/** Queued runs, first in first out (those on the fleet's queue wait there, not here). */
export function queuedRuns(store: Store): number[] {
  return store.prepare<[], { id: number }>(`SELECT id FROM runs WHERE status = 'queued' AND fleet_job IS NULL ORDER BY queued_at, id`).all().map((r) => r.id);
}

export interface RunStart {
  backend: string;
  device: string;
  datasetId: number | null;
  datasetName: string;
  layers: string[];
}

export function recordRunStart(store: Store, id: number, s: RunStart, now = Date.now()): void {
  store
    .prepare('UPDATE runs SET backend = ?, device = ?, dataset_id = ?, dataset = ?, layers = ?, updated_at = ? WHERE id = ?')
    .run(s.backend, s.device, s.datasetId, s.datasetName, JSON.stringify(s.layers), now, id);
}

export interface RunResults {
  sizes: number[];
  soft: number[] | null;
  params: number;
  top1: number | null;
  top5: number | null;
  searchSecondsPerEpoch: number | null;
  trainSecondsPerEpoch: number | null;
}

export function recordRunResults(store: Store, id: number, r: RunResults, now = Date.now()): void {
  store
    .prepare('UPDATE runs SET sizes = ?, soft = ?, params = ?, top1 = ?, top5 = ?, search_s_per_epoch = ?, train_s_per_epoch = ?, updated_at = ? WHERE id = ?')
    .run(JSON.stringify(r.sizes), r.soft ? float32Json(r.soft) : null, r.params, finiteOrNull(r.top1), finiteOrNull(r.top5), r.searchSecondsPerEpoch, r.trainSecondsPerEpoch, now, id);
}

const FINAL: readonly RunStatus[] = ['completed', 'failed', 'cancelled', 'interrupted', 'paused'];

/** Move a run to a status that ends its process's work; the pid is cleared and the end time set. */
export function endRun(store: Store, id: number, status: RunStatus, error: SerializedError | null = null, now = Date.now()): void {
  if (!FINAL.includes(status)) throw new EffconvError('INVALID_ARGUMENT', `"${status}" does not end a run`, 'status');
  store
    .prepare(
      `UPDATE runs SET status = ?, pid = NULL, pid_token = NULL, request = NULL, ended_at = ?, eta_seconds = NULL, error_code = ?, error = ?, error_detail = ?, updated_at = ? WHERE id = ?`,
    )
    .run(status, now, error?.code ?? null, error?.message ?? null, error?.detail ?? null, now, id);
}

/** Put a stopped run back in the queue (resume). Refuses a running or completed run. */
export function requeueRun(store: Store, id: number, allowed: readonly RunStatus[], now = Date.now()): void {
  store.write(() => {
    const row = getRunRow(store, id);
    if (!allowed.includes(row.status)) {
      throw new EffconvError('RUN_STATE', `run ${id} is ${row.status}; only ${allowed.join(', ')} runs can be resumed`, String(id));
    }
    store
      .prepare(`UPDATE runs SET status = 'queued', pid = NULL, pid_token = NULL, request = NULL, ended_at = NULL, fleet_job = NULL, queued_at = ?, updated_at = ? WHERE id = ?`)
      .run(now, now, id);
  });
}

export function runsWithStatus(store: Store, status: RunStatus): { id: number; pid: number | null; pidToken: string | null; fleetJob: string | null }[] {
  return store
    .prepare<[string], { id: number; pid: number | null; pid_token: string | null; fleet_job: string | null }>('SELECT id, pid, pid_token, fleet_job FROM runs WHERE status = ? ORDER BY id')
    .all(status)
    .map((r) => ({ id: r.id, pid: r.pid, pidToken: r.pid_token, fleetJob: r.fleet_job }));
}

const RUN_SORT: Record<RunSortKey, string> = {
  id: 'r.id',
  created: 'r.created_at',
  status: 'r.status',
  top1: 'r.top1',
  params: 'r.params',
  budget: 'r.budget',
  backbone: 'r.backbone',
  dataset: 'r.dataset',
  experiment: 'e.name',
};

function runFilter(q: RunQuery): { where: string; args: unknown[] } {
  const parts: string[] = [];
  const args: unknown[] = [];
  if (q.experimentId !== undefined) {
    parts.push('r.experiment_id = ?');
    args.push(q.experimentId);
  }
  if (q.experiment !== undefined) {
    parts.push('e.name = ?');
    args.push(q.experiment);
  }
  if (q.status !== undefined) {
    const list = Array.isArray(q.status) ? q.status : [q.status];
    for (const s of list) if (!RUN_STATUSES.includes(s)) throw new EffconvError('INVALID_ARGUMENT', `unknown run status "${s}" (${RUN_STATUSES.join(', ')})`, 'status');
    parts.push(`r.status IN (${list.map(() => '?').join(', ') || 'NULL'})`);
    args.push(...list);
  }
  for (const [key, column] of [['dataset', 'r.dataset'], ['backbone', 'r.backbone'], ['backend', 'r.backend']] as const) {
    if (q[key] !== undefined) {
      parts.push(`${column} = ?`);
      args.push(q[key]);
    }
  }
  if (q.text) {
    parts.push(`(e.name LIKE ? ESCAPE '\\' OR r.backbone LIKE ? ESCAPE '\\' OR r.dataset LIKE ? ESCAPE '\\')`);
    const p = likePattern(q.text);
    args.push(p, p, p);
  }
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
}

export function listRuns(store: Store, q: RunQuery = {}): Page<RunRow> {
  const limit = pageLimit(q.limit);
  const offset = pageOffset(q.offset);
  const column = RUN_SORT[q.sort ?? 'id'];
  if (!column) throw new EffconvError('INVALID_ARGUMENT', `cannot sort runs by "${q.sort}" (${Object.keys(RUN_SORT).join(', ')})`, 'sort');
  const dir = sqlOrder(q.order, ['experiment', 'backbone', 'dataset', 'status'].includes(q.sort ?? '') ? 'ASC' : 'DESC');
  const { where, args } = runFilter(q);
  const rows = store.prepare<unknown[], RunsTableRow>(`${RUN_SELECT} ${where} ORDER BY ${column} ${dir} NULLS LAST, r.id ${dir} LIMIT ? OFFSET ?`).all(...args, limit, offset);
  const from = where.includes('e.name') ? 'runs r JOIN experiments e ON e.id = r.experiment_id' : 'runs r';
  const total = (store.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM ${from} ${where}`).get(...args) as { n: number }).n;
  return { items: rows.map(toRunSummary), total, offset, limit };
}

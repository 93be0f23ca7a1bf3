// Experiments: a name, notes and the options the user chose; runs hang off them.
import { EffconvError } from '../contract/errors';
import type { RunOptions } from '../contract/run';
import type { ExperimentQuery, ExperimentSummary, Page, RunStatus } from '../contract/store';
import type { Store } from './db';
import { iso, likePattern, pageLimit, pageOffset, parseJson, sqlOrder } from './rows';

interface ExperimentRow {
  id: number;
  name: string;
  notes: string;
  options: string;
  created_at: number;
  updated_at: number;
  run_count: number;
  status_counts: string | null;
  best_top1: number | null;
}

const SELECT = `
  SELECT e.*,
    (SELECT count(*) FROM runs r WHERE r.experiment_id = e.id) AS run_count,
    (SELECT json_group_object(status, n) FROM (SELECT status, count(*) AS n FROM runs r WHERE r.experiment_id = e.id GROUP BY status)) AS status_counts,
    (SELECT max(top1) FROM runs r WHERE r.experiment_id = e.id AND r.status = 'completed') AS best_top1
  FROM experiments e`;

function toSummary(r: ExperimentRow): ExperimentSummary {
  return {
    id: r.id,
    name: r.name,
    notes: r.notes,
    options: parseJson<RunOptions>(r.options, 'experiments.options')!,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    runCount: r.run_count,
    statusCounts: parseJson<Partial<Record<RunStatus, number>>>(r.status_counts, 'status_counts') ?? {},
    bestTop1: r.best_top1,
  };
}

function checkName(name: string): string {
  const n = name.trim();
  if (!n) throw new EffconvError('INVALID_ARGUMENT', 'an experiment needs a name', 'name');
  if (n.length > 200) throw new EffconvError('INVALID_ARGUMENT', `experiment name is ${n.length} characters; at most 200`, 'name');
  return n;
}

export function createExperiment(store: Store, e: { name: string; notes?: string; options: RunOptions }, now = Date.now()): ExperimentSummary {
  const name = checkName(e.name);
  const id = store.write(() => {
    if (store.prepare('SELECT 1 FROM experiments WHERE name = ?').get(name)) {
      throw new EffconvError('INVALID_ARGUMENT', `an experiment named "${name}" already exists`, 'name');
    }
    return Number(
      store.prepare('INSERT INTO experiments (name, notes, options, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(name, e.notes ?? '', JSON.stringify(e.options), now, now).lastInsertRowid,
    );
  });
  return getExperiment(store, id);
}

/** The experiment with this name, created with these options (and notes) if there is none (the CLI's --name). */
export function experimentNamed(store: Store, name: string, options: RunOptions, notes = '', now = Date.now()): number {
  const n = checkName(name);
  return store.write(() => {
    const found = store.prepare<[string], { id: number }>('SELECT id FROM experiments WHERE name = ?').get(n);
    if (found) return found.id;
    return Number(store.prepare('INSERT INTO experiments (name, notes, options, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(n, notes, JSON.stringify(options), now, now).lastInsertRowid);
  });
}

export function getExperiment(store: Store, id: number): ExperimentSummary {
  const row = store.prepare<[number], ExperimentRow>(`${SELECT} WHERE e.id = ?`).get(id);
  if (!row) throw new EffconvError('EXPERIMENT_NOT_FOUND', `experiment ${id} does not exist`, String(id));
  return toSummary(row);
}

export function findExperimentId(store: Store, name: string): number | null {
  return store.prepare<[string], { id: number }>('SELECT id FROM experiments WHERE name = ?').get(name)?.id ?? null;
}

export function updateExperiment(store: Store, id: number, change: { name?: string; notes?: string }, now = Date.now()): ExperimentSummary {
  store.write(() => {
    getExperiment(store, id);
    if (change.name !== undefined) {
      const name = checkName(change.name);
      const other = store.prepare<[string, number], { id: number }>('SELECT id FROM experiments WHERE name = ? AND id <> ?').get(name, id);
      if (other) throw new EffconvError('INVALID_ARGUMENT', `an experiment named "${name}" already exists`, 'name');
      store.prepare('UPDATE experiments SET name = ?, updated_at = ? WHERE id = ?').run(name, now, id);
    }
    if (change.notes !== undefined) store.prepare('UPDATE experiments SET notes = ?, updated_at = ? WHERE id = ?').run(change.notes, now, id);
  });
  return getExperiment(store, id);
}

export function touchExperiment(store: Store, id: number, now = Date.now()): void {
  store.prepare('UPDATE experiments SET updated_at = ? WHERE id = ?').run(now, id);
}

const EXPERIMENT_SORT: Record<NonNullable<ExperimentQuery['sort']>, string> = {
  name: 'e.name',
  created: 'e.created_at',
  updated: 'e.updated_at',
  runs: 'run_count',
  best: 'best_top1',
};

export function listExperiments(store: Store, q: ExperimentQuery = {}): Page<ExperimentSummary> {
  const limit = pageLimit(q.limit);
  const offset = pageOffset(q.offset);
  const where = q.text ? `WHERE e.name LIKE ? ESCAPE '\\' OR e.notes LIKE ? ESCAPE '\\'` : '';
  const args = q.text ? [likePattern(q.text), likePattern(q.text)] : [];
  const column = EXPERIMENT_SORT[q.sort ?? 'updated'];
  if (!column) throw new EffconvError('INVALID_ARGUMENT', `cannot sort experiments by "${q.sort}"`, 'sort');
  const dir = sqlOrder(q.order, q.sort === 'name' ? 'ASC' : 'DESC');
  const rows = store.prepare<unknown[], ExperimentRow>(`${SELECT} ${where} ORDER BY ${column} ${dir} NULLS LAST, e.id ${dir} LIMIT ? OFFSET ?`).all(...args, limit, offset);
  const total = (store.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM experiments e ${where}`).get(...args) as { n: number }).n;
  return { items: rows.map(toSummary), total, offset, limit };
}

/** Delete an experiment's rows (runs, metrics, artifacts cascade) and say which run folders and files it owned; refused while one of its runs is running. */
export function deleteExperimentRows(store: Store, id: number): { runs: { id: number; dir: string }[]; artifactPaths: string[] } {
  return store.write(() => {
    getExperiment(store, id);
    const running = store.prepare<[number], { id: number }>(`SELECT id FROM runs WHERE experiment_id = ? AND status = 'running' ORDER BY id`).all(id);
    if (running.length) throw new EffconvError('RUN_STATE', `experiment ${id} has running runs (${running.map((r) => r.id).join(', ')}); cancel them first`, String(id));
    const runs = store.prepare<[number], { id: number; dir: string }>('SELECT id, dir FROM runs WHERE experiment_id = ? ORDER BY id').all(id);
    const artifactPaths = store
      .prepare<[number], { path: string }>('SELECT a.path FROM artifacts a JOIN runs r ON r.id = a.run_id WHERE r.experiment_id = ?')
      .all(id)
      .map((r) => r.path);
    store.prepare('DELETE FROM experiments WHERE id = ?').run(id);
    return { runs, artifactPaths };
  });
}

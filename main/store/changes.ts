// What other processes changed, for watching runs this process does not drive (an `effconv
// run` in a terminal seen from the desktop or web UI): cheap to ask every second.
import type { SerializedError } from '../contract/errors';
import type { Stage } from '../contract/events';
import type { RunStatus } from '../contract/store';
import type { Store } from './db';
import { parseFloat32Json, parseJson } from './rows';

/** Changes whenever another connection commits (SQLite's PRAGMA data_version): nothing to read while it stays the same. */
export function dataVersion(store: Store): number {
  return store.db.pragma('data_version', { simple: true }) as number;
}

export interface ChangedRun {
  id: number;
  status: RunStatus;
  stage: Stage | null;
  step: number | null;
  totalSteps: number | null;
  etaSeconds: number | null;
  error: SerializedError | null;
  /** Epochs of each stage, from the run's options. */
  epochs: { 1: number; 2: number };
  updatedAt: number;
}

interface ChangedRow {
  id: number;
  status: RunStatus;
  stage: Stage | null;
  step: number | null;
  total_steps: number | null;
  eta_seconds: number | null;
  error_code: SerializedError['code'] | null;
  error: string | null;
  error_detail: string | null;
  options: string;
  updated_at: number;
}

/** Runs whose row was written at or after `since` (ms since the epoch), oldest write first. */
export function runsChangedSince(store: Store, since: number): ChangedRun[] {
  return store
    .prepare<[number], ChangedRow>(
      'SELECT id, status, stage, step, total_steps, eta_seconds, error_code, error, error_detail, options, updated_at FROM runs WHERE updated_at >= ? ORDER BY updated_at, id',
    )
    .all(since)
    .map((r) => {
      const o = parseJson<{ searchEpochs?: number; trainEpochs?: number }>(r.options, 'runs.options') ?? {};
      return {
        id: r.id, status: r.status, stage: r.stage, step: r.step, totalSteps: r.total_steps, etaSeconds: r.eta_seconds,
        error: r.error_code ? { code: r.error_code, message: r.error ?? '', detail: r.error_detail ?? '' } : null,
        epochs: { 1: o.searchEpochs ?? 1, 2: o.trainEpochs ?? 1 }, updatedAt: r.updated_at,
      };
    });
}

export interface StepRow {
  stage: Stage;
  step: number;
  epoch: number;
  loss: number | null;
  ce: number | null;
  lparam: number | null;
  params: number | null;
  lr: number | null;
  acc: number | null;
  ms: number | null;
  soft: number[] | null;
  hard: number[] | null;
}

/** Step rows after (stage, step), in order, with the sizes recorded at each stage-1 step. */
export function stepsAfter(store: Store, runId: number, stage: Stage, step: number, limit = 1000): StepRow[] {
  return store
    .prepare<[number, number, number, number, number], Omit<StepRow, 'soft' | 'hard'> & { soft: string | null; hard: string | null }>(
      `SELECT m.stage, m.step, m.epoch, m.loss, m.ce, m.lparam, m.params, m.lr, m.acc, m.ms, h.soft, h.hard
         FROM step_metrics m LEFT JOIN size_history h ON m.stage = 1 AND h.run_id = m.run_id AND h.step = m.step
        WHERE m.run_id = ? AND (m.stage > ? OR (m.stage = ? AND m.step > ?)) ORDER BY m.stage, m.step LIMIT ?`,
    )
    .all(runId, stage, stage, step, limit)
    .map((r) => ({ ...r, soft: parseFloat32Json(r.soft, 'size_history.soft'), hard: parseJson<number[]>(r.hard, 'size_history.hard') }));
}

/** The last (stage, step) and (stage, epoch) a run has recorded. */
export function lastRecorded(store: Store, runId: number): { stage: Stage; step: number; epochStage: Stage; epoch: number } {
  const s = store
    .prepare<[number], { stage: Stage; step: number }>('SELECT stage, step FROM step_metrics WHERE run_id = ? ORDER BY stage DESC, step DESC LIMIT 1')
    .get(runId);
  const e = store
    .prepare<[number], { stage: Stage; epoch: number }>('SELECT stage, epoch FROM epoch_metrics WHERE run_id = ? ORDER BY stage DESC, epoch DESC LIMIT 1')
    .get(runId);
  return { stage: s?.stage ?? 1, step: s?.step ?? 0, epochStage: e?.stage ?? 1, epoch: e?.epoch ?? 0 };
}

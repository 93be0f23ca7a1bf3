// Reading a run's metrics back for charts: step series bucketed to at most maxPoints
// (min/mean/max per bucket, so spikes stay visible), epoch rows, and the size history.
import { EffconvError } from '../contract/errors';
import type { Stage } from '../contract/events';
import { STEP_METRICS, type EpochMetric, type MetricSeries, type SeriesBand, type SizeHistory, type StepMetricName } from '../contract/store';
import type { Store } from './db';
import { iso, parseFloat32Json, parseJson } from './rows';
import { getRunRow } from './runs';

function checkPoints(maxPoints: number): void {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) throw new EffconvError('INVALID_ARGUMENT', `maxPoints must be an integer >= 2, got ${maxPoints}`, 'maxPoints');
}

const AGGREGATES = STEP_METRICS.map((m) => `avg(${m}) AS ${m}_mean, min(${m}) AS ${m}_min, max(${m}) AS ${m}_max`).join(', ');

export function metricSeries(store: Store, runId: number, stage: Stage, maxPoints = 1000): MetricSeries {
  checkPoints(maxPoints);
  getRunRow(store, runId);
  const { n, last } = store
    .prepare<[number, number], { n: number; last: number | null }>('SELECT count(*) AS n, max(step) AS last FROM step_metrics WHERE run_id = ? AND stage = ?')
    .get(runId, stage)!;
  // Buckets of whole steps by step number, so a point always covers the same steps however far the run has got.
  const bucket = Math.max(1, Math.ceil((last ?? 0) / maxPoints));
  const rows = store
    .prepare<[number, number, number], Record<string, number | null>>(
      `SELECT max(step) AS step, max(epoch) AS epoch, ${AGGREGATES} FROM step_metrics WHERE run_id = ? AND stage = ? GROUP BY (step - 1) / CAST(? AS INTEGER) ORDER BY 1`,
    )
    .all(runId, stage, bucket);
  const metrics = {} as Record<StepMetricName, SeriesBand>;
  for (const m of STEP_METRICS) {
    metrics[m] = { mean: rows.map((r) => r[`${m}_mean`]), min: rows.map((r) => r[`${m}_min`]), max: rows.map((r) => r[`${m}_max`]) };
  }
  return { runId, stage, count: n, bucket, step: rows.map((r) => r.step as number), epoch: rows.map((r) => r.epoch as number), metrics };
}

interface EpochRow {
  stage: Stage;
  epoch: number;
  seconds: number;
  train_loss: number | null;
  train_acc: number | null;
  top1: number | null;
  top5: number | null;
  test_loss: number | null;
  params: number | null;
  sizes: string | null;
  soft: string | null;
  time: number;
}

function toEpochMetric(r: EpochRow): EpochMetric {
  return {
    stage: r.stage,
    epoch: r.epoch,
    seconds: r.seconds,
    trainLoss: r.train_loss,
    trainAcc: r.train_acc,
    top1: r.top1,
    top5: r.top5,
    testLoss: r.test_loss,
    params: r.params,
    sizes: parseJson<number[]>(r.sizes, 'epoch_metrics.sizes'),
    soft: parseFloat32Json(r.soft, 'epoch_metrics.soft'),
    time: iso(r.time),
  };
}

export function epochMetrics(store: Store, runId: number): EpochMetric[] {
  return store.prepare<[number], EpochRow>('SELECT * FROM epoch_metrics WHERE run_id = ? ORDER BY stage, epoch').all(runId).map(toEpochMetric);
}

/** Epoch rows after (stage, epoch), in order (for following a run another process records). */
export function epochMetricsAfter(store: Store, runId: number, stage: Stage, epoch: number): EpochMetric[] {
  return store
    .prepare<[number, number, number, number], EpochRow>('SELECT * FROM epoch_metrics WHERE run_id = ? AND (stage > ? OR (stage = ? AND epoch > ?)) ORDER BY stage, epoch')
    .all(runId, stage, stage, epoch)
    .map(toEpochMetric);
}

/** Every stride-th stage-1 step from the first, plus the last, so at most maxPoints rows (read by key, not scanned). */
export function sizeHistory(store: Store, runId: number, maxPoints = 500): SizeHistory {
  checkPoints(maxPoints);
  const run = getRunRow(store, runId);
  const { n, last } = store
    .prepare<[number], { n: number; last: number | null }>('SELECT count(*) AS n, max(step) AS last FROM size_history WHERE run_id = ?')
    .get(runId)!;
  const layers = parseJson<string[]>(run.layers, 'runs.layers');
  if (!last) return { runId, layers, count: 0, stride: 1, step: [], soft: [], hard: [] };
  const stride = Math.max(1, Math.ceil((last - 1) / (maxPoints - 1)));
  // CROSS JOIN keeps the wanted steps as the outer loop, each a primary-key lookup; left to
  // itself the planner scanned the wanted list once per history row (30 s at 100,000 steps).
  const rows = store
    .prepare<[number, number, number, number, number], { step: number; soft: string; hard: string }>(
      `WITH RECURSIVE every(step) AS (SELECT 1 UNION ALL SELECT step + CAST(? AS INTEGER) FROM every WHERE step + ? <= ?),
         wanted(step) AS (SELECT step FROM every UNION SELECT ?)
       SELECT h.step, h.soft, h.hard FROM wanted w CROSS JOIN size_history h ON h.run_id = ? AND h.step = w.step ORDER BY h.step`,
    )
    .all(stride, stride, last, last, runId);
  return {
    runId,
    layers,
    count: n,
    stride,
    step: rows.map((r) => r.step),
    soft: rows.map((r) => parseFloat32Json(r.soft, 'size_history.soft')!),
    hard: rows.map((r) => JSON.parse(r.hard) as number[]),
  };
}

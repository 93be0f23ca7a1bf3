// points.csv: one record per point of the sweep with every field `effconv sweep show --json`
// gives a point, flattened (progress and error into their own columns; sizes and layer names
// space-separated), RFC 4180: CRLF between records, fields quoted where they must be. Numbers
// are written as JavaScript prints them, so they read back to the same value.
import { csvRow } from '../../common/csv';
import type { SweepPoint } from '../../contract/sweep';

/** Column name and how a point's value is found; the order of the file's columns. */
export const POINT_COLUMNS: readonly [string, (p: SweepPoint) => unknown][] = [
  ['index', (p) => p.index],
  ['run_id', (p) => p.runId],
  ['kind', (p) => p.kind],
  ['backbone', (p) => p.backbone],
  ['dataset', (p) => p.dataset],
  ['seed', (p) => p.seed],
  ['budget_label', (p) => p.budgetLabel],
  ['budget', (p) => p.budget],
  ['status', (p) => p.status],
  ['params', (p) => p.params],
  ['top1', (p) => p.top1],
  ['top5', (p) => p.top5],
  ['on_front', (p) => p.onFront],
  ['sizes', (p) => p.sizes?.join(' ')],
  ['layers', (p) => p.layers?.join(' ')],
  ['search_seconds_per_epoch', (p) => p.searchSecondsPerEpoch],
  ['train_seconds_per_epoch', (p) => p.trainSecondsPerEpoch],
  ['seconds', (p) => p.seconds],
  ['progress_stage', (p) => p.progress?.stage],
  ['progress_epoch', (p) => p.progress?.epoch],
  ['progress_step', (p) => p.progress?.step],
  ['progress_total_steps', (p) => p.progress?.totalSteps],
  ['progress_eta_seconds', (p) => p.progress?.etaSeconds],
  ['error_code', (p) => p.error?.code],
  ['error_message', (p) => p.error?.message],
  ['error_detail', (p) => p.error?.detail],
];

export function pointsCsv(points: readonly SweepPoint[]): string {
  return [POINT_COLUMNS.map(([name]) => name), ...points.map((p) => POINT_COLUMNS.map(([, get]) => get(p)))].map(csvRow).join('\r\n') + '\r\n';
}

// Every run's step (or epoch) metrics as CSV, streamed row by row so a large database never
// sits in memory at once.
import { csvRow } from '../common/csv';
import type { Store } from './db';

export interface CsvQuery {
  kind?: 'step' | 'epoch';
  runIds?: number[];
  experimentId?: number;
}

const COLUMNS = {
  step: ['stage', 'epoch', 'step', 'loss', 'ce', 'lparam', 'params', 'lr', 'acc', 'ms'],
  epoch: ['stage', 'epoch', 'seconds', 'train_loss', 'train_acc', 'top1', 'top5', 'test_loss', 'params', 'sizes'],
} as const;

export function writeMetricsCsv(store: Store, write: (chunk: string) => void, q: CsvQuery = {}): number {
  const kind = q.kind ?? 'step';
  const columns = COLUMNS[kind];
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.runIds) (where.push(`m.run_id IN (${q.runIds.map(() => '?').join(', ') || 'NULL'})`), args.push(...q.runIds));
  if (q.experimentId !== undefined) (where.push('r.experiment_id = ?'), args.push(q.experimentId));
  const order = kind === 'step' ? 'm.run_id, m.stage, m.step' : 'm.run_id, m.stage, m.epoch';
  const sql = `SELECT m.run_id, e.name AS experiment, r.status, ${columns.map((c) => `m.${c}`).join(', ')}, m.time
    FROM ${kind}_metrics m JOIN runs r ON r.id = m.run_id JOIN experiments e ON e.id = r.experiment_id
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order}`;
  write(['run_id', 'experiment', 'status', ...columns, 'time'].join(',') + '\n');
  let n = 0;
  let chunk = '';
  for (const row of store.db.prepare(sql).iterate(...args) as Iterable<Record<string, unknown>>) {
    chunk += csvRow([row.run_id, row.experiment, row.status, ...columns.map((c) => row[c]), new Date(row.time as number).toISOString()]) + '\n';
    n += 1;
    if (chunk.length > 1 << 16) {
      write(chunk);
      chunk = '';
    }
  }
  if (chunk) write(chunk);
  return n;
}

export function metricsCsv(store: Store, q: CsvQuery = {}): string {
  const parts: string[] = [];
  writeMetricsCsv(store, (c) => parts.push(c), q);
  return parts.join('');
}

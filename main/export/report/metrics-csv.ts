// metrics.jsonl → metrics.csv: one row per step, epoch and stage event, a fixed set of
// columns (empty where an event has no such value), then one column per searched layer for
// the hard and soft sizes, so a spreadsheet or pandas reads it without reshaping.
import { readFileSync } from 'node:fs';
import { csvCell as cell } from '../../common/csv';
import type { EffconvConfig } from '../../contract/config';
import { EffconvError } from '../../contract/errors';

const COLUMNS = [
  'time', 'type', 'stage', 'status', 'epoch', 'step', 'total_steps', 'loss', 'ce', 'lparam', 'acc', 'lr', 'ms', 'eta_s',
  'params', 'seconds', 'train_loss', 'train_acc', 'top1', 'top5', 'test_loss',
] as const;

const FROM_EVENT: Record<(typeof COLUMNS)[number], string> = {
  time: 'time', type: 'type', stage: 'stage', status: 'status', epoch: 'epoch', step: 'step', total_steps: 'totalSteps',
  loss: 'loss', ce: 'ce', lparam: 'lparam', acc: 'acc', lr: 'lr', ms: 'ms', eta_s: 'etaSeconds', params: 'params',
  seconds: 'seconds', train_loss: 'trainLoss', train_acc: 'trainAcc', top1: 'top1', top5: 'top5', test_loss: 'testLoss',
};

/** The events of a metrics.jsonl; a torn last line (a process killed mid-write) is skipped. */
export function readMetrics(path: string): Record<string, unknown>[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const events: Record<string, unknown>[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      if (i < lines.length - 1 && lines.slice(i + 1).some((l) => l.trim())) {
        throw new EffconvError('RUN_STATE', `${path}:${i + 1}: not a JSON line`, path);
      }
    }
  });
  return events;
}

export function metricsCsv(events: Record<string, unknown>[], config: EffconvConfig): string {
  const names = config.layers.map((l) => l.name);
  const header = [...COLUMNS, ...names.map((n) => `size:${n}`), ...names.map((n) => `soft:${n}`)];
  const rows = [header.join(',')];
  for (const e of events) {
    const hard = (e.hard ?? e.sizes) as number[] | undefined;
    const soft = e.soft as number[] | undefined;
    rows.push([
      ...COLUMNS.map((c) => cell(e[FROM_EVENT[c]])),
      ...names.map((_, i) => cell(hard?.[i])),
      ...names.map((_, i) => cell(soft?.[i])),
    ].join(','));
  }
  return rows.join('\n') + '\n';
}

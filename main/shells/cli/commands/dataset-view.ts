// Text views of library entries for `effconv dataset list` and `effconv dataset show`.
import { formatBytes } from '../../../common/format-bytes';
import type { DatasetRecord } from '../../../data/library';

const int = (n: number): string => n.toLocaleString('en-US');

function table(rows: string[][], right: Set<number>): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd() + '\n').join('');
}

const storedBytes = (d: DatasetRecord): number => Object.values(d.splits).reduce((n, s) => n + s.bytes + s.count * 2, 0);

export function listTable(all: DatasetRecord[]): string {
  if (all.length === 0) return 'the library is empty: effconv dataset import PATH\n';
  const rows = [['NAME', 'FORMAT', 'SHAPE', 'CLASSES', 'TRAIN', 'TEST', 'SIZE', 'CREATED']];
  for (const d of all) {
    rows.push([d.name, d.sourceFormat, `${d.height}×${d.width}×${d.channels}`, String(d.classes), int(d.splits.train.count), int(d.splits.test.count), formatBytes(storedBytes(d)), d.createdAt.slice(0, 16).replace('T', ' ')]);
  }
  return table(rows, new Set([3, 4, 5, 6]));
}

export function describeDataset(d: DatasetRecord): string {
  const f = (xs: number[]) => xs.map((x) => x.toFixed(4)).join(' ');
  const lines = [
    `${d.name}`,
    `  format     ${d.sourceFormat}, from ${d.source}`,
    `  created    ${d.createdAt}`,
    `  shape      ${d.height}×${d.width}×${d.channels}, ${d.classes} classes; horizontal flips ${d.flipSafe ? 'on' : 'off'} by default`,
    `  images     ${int(d.splits.train.count)} train, ${int(d.splits.test.count)} test${d.splits.unlabeled ? `, ${int(d.splits.unlabeled.count)} unlabeled` : ''} (${formatBytes(storedBytes(d))} stored)`,
    `  mean       ${f(d.mean)}   (per channel, [0, 1] units, training split)`,
    `  std        ${f(d.std)}`,
    `  sha256     ${d.sha256}`,
    `  import     size ${d.import.size ?? 'as stored'}, fit ${d.import.fit}, held-out test fraction ${d.import.testFraction ?? 'none (the source has a test split)'}, seed ${d.import.seed}${d.import.labels ? `, ${d.import.labels} labels` : ''}`,
    `  skipped    ${d.skipped} file${d.skipped === 1 ? '' : 's'}`,
    ...d.skippedExamples.map((s) => `               ${s.path}: ${s.reason}`),
    ...d.notes.map((n) => `  note       ${n}`),
    '',
  ];
  const rows = [['  CLASS', 'TRAIN', 'TEST']];
  d.classNames.forEach((name, c) => rows.push([`  ${c} ${name}`, int(d.splits.train.perClass[c]), int(d.splits.test.perClass[c])]));
  return lines.join('\n') + '\n' + table(rows, new Set([1, 2]));
}

// Text views of library entries (the Api's DatasetInfo) for `effconv dataset list` and `show`.
import { formatBytes } from '../../../contract/format';
import type { DatasetInfo } from '../../../contract/api';

const int = (n: number): string => n.toLocaleString('en-US');
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

function table(rows: string[][], right: Set<number>): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd() + '\n').join('');
}

export function listTable(all: DatasetInfo[]): string {
  if (all.length === 0) return 'the library is empty: effconv dataset import PATH\n';
  const rows = [['NAME', 'FORMAT', 'SHAPE', 'CLASSES', 'TRAIN', 'TEST', 'SIZE', 'CREATED']];
  for (const d of all) {
    rows.push([d.name, d.format, `${d.shape.height}×${d.shape.width}×${d.shape.channels}`, String(d.classes), int(sum(d.counts.train)), int(sum(d.counts.test)), formatBytes(d.bytes), d.createdAt.slice(0, 16).replace('T', ' ')]);
  }
  return table(rows, new Set([3, 4, 5, 6]));
}

export function describeDataset(d: DatasetInfo): string {
  const f = (xs: number[]) => xs.map((x) => x.toFixed(4)).join(' ');
  const lines = [
    `${d.name}`,
    `  format     ${d.format}, from ${d.source}`,
    `  created    ${d.createdAt}`,
    `  shape      ${d.shape.height}×${d.shape.width}×${d.shape.channels}, ${d.classes} classes; horizontal flips ${d.flipSafe ? 'on' : 'off'} by default`,
    `  images     ${int(sum(d.counts.train))} train, ${int(sum(d.counts.test))} test${d.unlabeled !== null ? `, ${int(d.unlabeled)} unlabeled` : ''} (${formatBytes(d.bytes)} stored)`,
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
  d.classNames.forEach((name, c) => rows.push([`  ${c} ${name}`, int(d.counts.train[c]), int(d.counts.test[c])]));
  return lines.join('\n') + '\n' + table(rows, new Set([1, 2]));
}

// One CSV field as RFC 4180 writes it: quoted (inner quotes doubled) when it holds a comma, a
// quote or a line break; empty for a missing value or a number that is not finite.
export function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record: its fields joined by commas (the caller ends it with CRLF or LF). */
export function csvRow(values: readonly unknown[]): string {
  return values.map(csvCell).join(',');
}

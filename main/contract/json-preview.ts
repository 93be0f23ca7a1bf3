// A value as short JSON for a message ("got [16,32,64]"), safe on any parsed document: nesting
// past a few levels, long arrays and long strings are cut with "…", so a hostile config (an
// array nested 100,000 deep, a 10 MB string) cannot overflow the stack or flood a terminal.

function shallow(v: unknown, depth: number): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : String(v);
  if (typeof v === 'string') return v.length > 100 ? `${JSON.stringify(v.slice(0, 100)).slice(0, -1)}…"` : JSON.stringify(v);
  if (typeof v !== 'object' || v === null) return String(v);
  if (depth === 0) return Array.isArray(v) ? '[…]' : '{…}';
  if (Array.isArray(v)) {
    const items = v.slice(0, 8).map((x) => shallow(x, depth - 1));
    return `[${items.join(',')}${v.length > 8 ? ',…' : ''}]`;
  }
  const keys = Object.keys(v);
  const items = keys.slice(0, 8).map((k) => `${JSON.stringify(k)}:${shallow((v as Record<string, unknown>)[k], depth - 1)}`);
  return `{${items.join(',')}${keys.length > 8 ? ',…' : ''}}`;
}

export function jsonPreview(v: unknown, max = 80): string {
  const text = shallow(v, 4);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

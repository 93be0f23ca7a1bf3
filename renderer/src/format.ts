// Number and date formatting shared by the screens.
import { format } from 'd3-format';

const si = format('.3~s');

export function params(n: number | null | undefined): string {
  return n == null ? '–' : si(n).replace('G', 'B');
}

export function pct(v: number | null | undefined, digits = 2): string {
  return v == null ? '–' : `${(v * 100).toFixed(digits)}%`;
}

export function seconds(s: number | null | undefined): string {
  if (s == null || !Number.isFinite(s)) return '–';
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function date(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}


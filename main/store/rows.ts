// Turning SQLite values into contract values and back: times, JSON columns, non-finite numbers.
import { BugError, EffconvError } from '../contract/errors';

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms == null ? null : iso(ms));

/** SQLite has no NaN/Infinity (better-sqlite3 would store NaN as NULL anyway); say so explicitly. */
export const finiteOrNull = (v: number | null | undefined): number | null => (v != null && Number.isFinite(v) ? v : null);

export function parseJson<T>(text: string | null, column: string): T | null {
  if (text == null) return null;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new BugError(`column ${column} holds invalid JSON: ${(e as Error).message}`);
  }
}

export const jsonOrNull = (v: unknown): string | null => (v == null ? null : JSON.stringify(v));

/** Float32 values printed with 9 significant digits read back to the same float32 bits. */
export const float32Json = (v: readonly number[]): string => JSON.stringify(v.map((x) => (Number.isFinite(x) ? Number(x.toPrecision(9)) : null)));

/** The inverse of float32Json: the exact float32 values (as doubles) that were written. */
export function parseFloat32Json(text: string | null, column: string): number[] | null {
  const v = parseJson<(number | null)[]>(text, column);
  return v && v.map((x) => (x == null ? Number.NaN : Math.fround(x)));
}

/** Escape a user's text for LIKE … ESCAPE '\'. */
export const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function pageLimit(limit: number | undefined, fallback = 50, max = 1000): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) throw new EffconvError('INVALID_ARGUMENT', `limit must be an integer >= 1, got ${limit}`, 'limit');
  return Math.min(limit, max);
}

export function pageOffset(offset: number | undefined): number {
  if (offset === undefined) return 0;
  if (!Number.isInteger(offset) || offset < 0) throw new EffconvError('INVALID_ARGUMENT', `offset must be an integer >= 0, got ${offset}`, 'offset');
  return offset;
}

export const sqlOrder = (order: 'asc' | 'desc' | undefined, fallback: 'ASC' | 'DESC'): 'ASC' | 'DESC' => (order === undefined ? fallback : order === 'asc' ? 'ASC' : 'DESC');

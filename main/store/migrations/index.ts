// Forward-only schema migrations keyed by SQLite's user_version. Each version is one
// function; its DDL and the user_version bump commit together or not at all.
import type Database from 'better-sqlite3';
import { EffconvError } from '../../contract/errors';
import { v1Initial } from './001-initial';
import { v2RunControl } from './002-run-control';
import { v3Sweeps } from './003-sweeps';
import { v4Fleet } from './004-fleet';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', up: v1Initial },
  { version: 2, name: 'run-control', up: v2RunControl },
  { version: 3, name: 'sweeps', up: v3Sweeps },
  { version: 4, name: 'fleet', up: v4Fleet },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Refuse, before anything is written, a database this EffConv Studio must not touch: one of
 * a newer version, or an SQLite file at version 0 that already has tables (another program's).
 */
export function checkOwnDatabase(db: Database.Database, path: string, list: readonly Migration[] = MIGRATIONS): void {
  const current = schemaVersion(db);
  const newest = list[list.length - 1].version;
  if (current > newest) {
    throw new EffconvError(
      'DATABASE_UNAVAILABLE',
      `${path} has schema version ${current}, newer than this EffConv Studio understands (${newest}); update EffConv Studio to open it`,
      path,
    );
  }
  if (current !== 0) return;
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  if (tables.length === 0) return;
  throw new EffconvError(
    'DATABASE_UNAVAILABLE',
    `${path} is an SQLite database of another program (tables ${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', …' : ''}), not EffConv Studio's; ` +
      'it was left untouched: move it away, or set EFFCONV_HOME to another folder',
    path,
  );
}

/** Bring the database to SCHEMA_VERSION, or refuse one written by a newer EffConv Studio or by another program. */
export function migrate(db: Database.Database, path: string, target = SCHEMA_VERSION, list: readonly Migration[] = MIGRATIONS): void {
  checkOwnDatabase(db, path, list);
  const current = schemaVersion(db);
  for (const m of list) {
    if (m.version <= current || m.version > target) continue;
    // IMMEDIATE: two processes starting at once serialise here; the loser re-checks the version.
    db.transaction(() => {
      if (schemaVersion(db) >= m.version) return;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}

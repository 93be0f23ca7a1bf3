// Forward-only schema migrations keyed by SQLite's user_version. Each version is one
// function; its DDL and the user_version bump commit together or not at all.
import type Database from 'better-sqlite3';
import { EffconvError } from '../../contract/errors';
import { v1Initial } from './001-initial';
import { v2RunControl } from './002-run-control';
import { v3Fleet } from './003-fleet';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', up: v1Initial },
  { version: 2, name: 'run-control', up: v2RunControl },
  { version: 3, name: 'fleet', up: v3Fleet },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Bring the database to SCHEMA_VERSION, or refuse one written by a newer EffConv Studio. */
export function migrate(db: Database.Database, path: string, target = SCHEMA_VERSION, list: readonly Migration[] = MIGRATIONS): void {
  const current = schemaVersion(db);
  const newest = list[list.length - 1].version;
  if (current > newest) {
    throw new EffconvError(
      'DATABASE_UNAVAILABLE',
      `${path} has schema version ${current}, newer than this EffConv Studio understands (${newest}); update EffConv Studio to open it`,
      path,
    );
  }
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

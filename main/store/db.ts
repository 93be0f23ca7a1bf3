// The experiment database: one SQLite file (better-sqlite3) opened with the settings every
// process shares, migrated to the current schema. Only main/store imports better-sqlite3.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EffconvError } from '../contract/errors';
import { checkOwnDatabase, migrate } from './migrations';

export interface OpenStoreOptions {
  /** better-sqlite3's compiled addon to load instead of its default one (the Electron shell passes an Electron-ABI build). */
  nativeBinding?: string;
  /** How long a writer waits for another process's lock before failing (ms). */
  busyTimeoutMs?: number;
}

export interface Store {
  readonly db: Database.Database;
  readonly path: string;
  /** A prepared statement for this SQL, compiled once per store. */
  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Database.Statement<P, R>;
  /**
   * Run fn in one transaction (BEGIN IMMEDIATE: take the write lock up front, so a busy writer
   * waits instead of failing mid-way). durable: false skips the fsync of this commit; the next
   * durable commit makes it durable too (the log is sequential). For rows that may be lost
   * to a power cut because they are recomputed anyway (metrics past the last checkpoint).
   */
  write<T>(fn: () => T, o?: { durable?: boolean }): T;
  close(): void;
}

export function openStore(path: string, o: OpenStoreOptions = {}): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path, { nativeBinding: o.nativeBinding, timeout: o.busyTimeoutMs ?? 10_000 });
  } catch (e) {
    throw new EffconvError('DATABASE_UNAVAILABLE', `cannot open the experiment database ${path}: ${(e as Error).message}`, path);
  }
  try {
    checkOwnDatabase(db, path);
    db.pragma('journal_mode = WAL');
    // WAL with synchronous=FULL fsyncs the log at every commit, so a committed run status or
    // checkpoint row survives power loss (NORMAL, WAL's usual default, may lose the last
    // commits then). Metric batches between checkpoints commit without the fsync: see write().
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, path);
  } catch (e) {
    db.close();
    if (e instanceof EffconvError) throw e;
    throw new EffconvError('DATABASE_UNAVAILABLE', `cannot use the experiment database ${path}: ${(e as Error).message}`, path);
  }
  const statements = new Map<string, Database.Statement>();
  return {
    db,
    path,
    prepare<P extends unknown[], R>(sql: string): Database.Statement<P, R> {
      let s = statements.get(sql);
      if (!s) {
        s = db.prepare(sql);
        statements.set(sql, s);
      }
      return s as unknown as Database.Statement<P, R>;
    },
    write<T>(fn: () => T, w: { durable?: boolean } = {}): T {
      if (w.durable !== false || db.inTransaction) return db.transaction(fn).immediate();
      db.pragma('synchronous = NORMAL');
      try {
        return db.transaction(fn).immediate();
      } finally {
        db.pragma('synchronous = FULL');
      }
    },
    close() {
      statements.clear();
      if (db.open) db.close();
    },
  };
}

// Schema version 4, for runs executed on a fleet of machines (BullMQ on Redis):
// - store_info: facts about this database itself; 'id' is a random name that keeps the jobs
//   of this database apart from those of other databases sharing the same Redis.
// - runs.fleet_job: the BullMQ job executing the run while it is on the fleet's queue (NULL:
//   it runs, or ran, in a process on this machine). The local queue leaves such runs alone.
// - runs.worker, runs.worker_host: the worker that executed it (its name and host), beside
//   the backend and device every run records.
import type Database from 'better-sqlite3';

export function v4Fleet(db: Database.Database): void {
  db.exec(`
    CREATE TABLE store_info (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO store_info (key, value) VALUES ('id', lower(hex(randomblob(8))));
    ALTER TABLE runs ADD COLUMN fleet_job TEXT;
    ALTER TABLE runs ADD COLUMN worker TEXT;
    ALTER TABLE runs ADD COLUMN worker_host TEXT;
    CREATE INDEX runs_fleet ON runs (status) WHERE fleet_job IS NOT NULL;
  `);
}

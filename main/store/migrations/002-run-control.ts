// Schema version 2, for running runs in processes of their own:
// - runs.request: 'pause' or 'cancel' asked of the run's process by another process (the GUI
//   stopping a CLI run, a run queue that lost its IPC channel); the process reads it between steps.
// - runs.pid_token: the process's start identity beside its pid, so a recycled pid is not
//   mistaken for the run's process when deciding whether a 'running' run was interrupted.
// - runs.queued_at: queue order; a resumed run goes to the back of the queue, not by creation time.
import type Database from 'better-sqlite3';

export function v2RunControl(db: Database.Database): void {
  db.exec(`
    ALTER TABLE runs ADD COLUMN request TEXT CHECK (request IS NULL OR request IN ('pause', 'cancel'));
    ALTER TABLE runs ADD COLUMN pid_token TEXT;
    ALTER TABLE runs ADD COLUMN queued_at INTEGER;
    UPDATE runs SET queued_at = created_at WHERE status = 'queued';
    CREATE INDEX runs_queue ON runs (queued_at) WHERE status = 'queued';
  `);
}

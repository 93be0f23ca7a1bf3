// Schema version 3: sweeps. A sweep is an experiment with a grid: its row holds the grid and the
// options every point shares; each point is an ordinary run of that experiment, listed in
// sweep_points with its place in the grid. Deleting the experiment deletes the sweep and its
// points; deleting a point's run deletes the point.
import type Database from 'better-sqlite3';

export function v3Sweeps(db: Database.Database): void {
  db.exec(`
    CREATE TABLE sweeps (
      id            INTEGER PRIMARY KEY AUTOINCREMENT,
      experiment_id INTEGER NOT NULL UNIQUE REFERENCES experiments (id) ON DELETE CASCADE,
      grid          TEXT NOT NULL CHECK (json_valid(grid)),
      options       TEXT NOT NULL CHECK (json_valid(options)),
      parallel      INTEGER NOT NULL DEFAULT 1 CHECK (parallel >= 1),
      cancelled     INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
      created_at    INTEGER NOT NULL,
      updated_at    INTEGER NOT NULL
    );

    CREATE TABLE sweep_points (
      sweep_id     INTEGER NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
      idx          INTEGER NOT NULL,
      run_id       INTEGER NOT NULL UNIQUE REFERENCES runs (id) ON DELETE CASCADE,
      kind         TEXT NOT NULL CHECK (kind IN ('search', 'baseline')),
      backbone     TEXT NOT NULL,
      dataset      TEXT NOT NULL,
      seed         INTEGER NOT NULL,
      budget_label TEXT,
      budget       INTEGER NOT NULL,
      PRIMARY KEY (sweep_id, idx)
    ) WITHOUT ROWID;
  `);
}

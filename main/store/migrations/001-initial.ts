// Schema version 1: datasets, experiments, runs, per-step and per-epoch metrics, the
// kernel-size history and artifacts. Times are Unix milliseconds (INTEGER); JSON columns are
// checked with json_valid so the sqlite3 shell's json_* functions can read them.
import type Database from 'better-sqlite3';

export function v1Initial(db: Database.Database): void {
  db.exec(`
    -- A copy of the dataset library's metadata, keyed by name and content digest ('' = unknown),
    -- so a run still says what it trained on after the library entry is gone.
    CREATE TABLE datasets (
      id          INTEGER PRIMARY KEY,
      name        TEXT NOT NULL,
      sha256      TEXT NOT NULL DEFAULT '',
      source      TEXT,
      format      TEXT,
      height      INTEGER NOT NULL,
      width       INTEGER NOT NULL,
      channels    INTEGER NOT NULL,
      classes     INTEGER NOT NULL,
      train_count INTEGER,
      test_count  INTEGER,
      meta        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(meta)),
      created_at  INTEGER NOT NULL,
      updated_at  INTEGER NOT NULL,
      UNIQUE (name, sha256)
    );

    -- AUTOINCREMENT: ids name run folders and appear in the CLI, so they are never reused.
    CREATE TABLE experiments (
      id         INTEGER PRIMARY KEY AUTOINCREMENT,
      name       TEXT NOT NULL UNIQUE,
      notes      TEXT NOT NULL DEFAULT '',
      options    TEXT NOT NULL CHECK (json_valid(options)),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX experiments_updated ON experiments (updated_at);

    CREATE TABLE runs (
      id                 INTEGER PRIMARY KEY AUTOINCREMENT,
      experiment_id      INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
      parent_run_id      INTEGER REFERENCES runs (id) ON DELETE SET NULL,
      dataset_id         INTEGER REFERENCES datasets (id) ON DELETE SET NULL,
      status             TEXT NOT NULL DEFAULT 'queued'
                         CHECK (status IN ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled', 'interrupted')),
      options            TEXT NOT NULL CHECK (json_valid(options)),
      stages             TEXT NOT NULL CHECK (stages IN ('both', 'search', 'train')),
      seed               INTEGER NOT NULL,
      backbone           TEXT NOT NULL,
      dataset            TEXT NOT NULL,
      budget             INTEGER,
      backend            TEXT NOT NULL,
      device             TEXT,
      dir                TEXT NOT NULL,
      out_dir            TEXT,
      pid                INTEGER,
      stage              INTEGER CHECK (stage IN (1, 2)),
      epoch              INTEGER,
      step               INTEGER,
      total_steps        INTEGER,
      eta_seconds        REAL,
      layers             TEXT CHECK (layers IS NULL OR json_valid(layers)),
      sizes              TEXT CHECK (sizes IS NULL OR json_valid(sizes)),
      soft               TEXT CHECK (soft IS NULL OR json_valid(soft)),
      params             INTEGER,
      top1               REAL,
      top5               REAL,
      search_s_per_epoch REAL,
      train_s_per_epoch  REAL,
      error_code         TEXT,
      error              TEXT,
      error_detail       TEXT,
      created_at         INTEGER NOT NULL,
      started_at         INTEGER,
      ended_at           INTEGER,
      updated_at         INTEGER NOT NULL
    );
    CREATE INDEX runs_experiment ON runs (experiment_id, status, top1);
    CREATE INDEX runs_status ON runs (status, id);
    CREATE INDEX runs_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
    CREATE INDEX runs_dataset ON runs (dataset_id);
    CREATE INDEX runs_pareto ON runs (dataset, backbone, budget, top1) WHERE top1 IS NOT NULL;
    CREATE INDEX runs_top1 ON runs (top1);

    -- One row per training step. A value that was not finite (a diverged loss) is NULL.
    CREATE TABLE step_metrics (
      run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      stage  INTEGER NOT NULL CHECK (stage IN (1, 2)),
      step   INTEGER NOT NULL,
      epoch  INTEGER NOT NULL,
      loss   REAL,
      ce     REAL,
      lparam REAL,
      params INTEGER,
      lr     REAL,
      acc    REAL,
      ms     REAL,
      time   INTEGER NOT NULL,
      PRIMARY KEY (run_id, stage, step)
    ) WITHOUT ROWID;

    CREATE TABLE epoch_metrics (
      run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      stage      INTEGER NOT NULL CHECK (stage IN (1, 2)),
      epoch      INTEGER NOT NULL,
      seconds    REAL NOT NULL,
      train_loss REAL,
      train_acc  REAL,
      top1       REAL,
      top5       REAL,
      test_loss  REAL,
      params     INTEGER,
      sizes      TEXT CHECK (sizes IS NULL OR json_valid(sizes)),
      soft       TEXT CHECK (soft IS NULL OR json_valid(soft)),
      time       INTEGER NOT NULL,
      PRIMARY KEY (run_id, stage, epoch)
    ) WITHOUT ROWID;

    -- The sizes each stage-1 step used: one row per step, JSON arrays indexed by layer.
    -- Measured for 7,820 steps (10 CIFAR-10 epochs) with 10-step batches: JSON 276 B and
    -- 46 µs a step for ResNet-20 (822 B, 71 µs for ResNet-56) against 118 B / 36 µs for
    -- float32 blobs and 431 B / 60 µs for one row per layer. JSON costs about 2.5× the bytes of
    -- blobs but stays readable in the sqlite3 shell (json_each) and is far below a step's time.
    CREATE TABLE size_history (
      run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      step   INTEGER NOT NULL,
      soft   TEXT NOT NULL CHECK (json_valid(soft)),
      hard   TEXT NOT NULL CHECK (json_valid(hard)),
      PRIMARY KEY (run_id, step)
    ) WITHOUT ROWID;

    CREATE TABLE artifacts (
      id         INTEGER PRIMARY KEY,
      run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      kind       TEXT NOT NULL CHECK (kind IN ('config', 'checkpoint', 'metrics', 'weights', 'export')),
      path       TEXT NOT NULL,
      sha256     TEXT,
      bytes      INTEGER,
      meta       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(meta)),
      created_at INTEGER NOT NULL
    );
    CREATE INDEX artifacts_run ON artifacts (run_id, kind, id);
  `);
}

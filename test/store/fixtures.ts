// Rows written in the schema of each version, as that version's code wrote them (plain SQL,
// so a later change to the store's functions cannot make an old fixture look new). Every
// version seeds the same logical content: one completed ResNet-8 run on Fashion-MNIST.
import type Database from 'better-sqlite3';

export interface Seeded {
  runId: number;
  datasetId: number;
  /** A run still waiting in the queue. */
  queuedRunId: number;
}

const T = Date.parse('2025-03-01T12:00:00Z');
const OPTIONS = JSON.stringify({ backbone: 'resnet8', dataset: 'fashion-mnist', budget: '60k', stages: 'both', searchEpochs: 1, trainEpochs: 1, batchSize: 32, trainBatchSize: 32, seed: 3, backend: 'wasm' });
const HARD = [3, 5, 2, 4, 1, 3];

function seedV1(db: Database.Database): Seeded {
  const datasetId = Number(
    db
      .prepare(`INSERT INTO datasets (name, sha256, source, format, height, width, channels, classes, train_count, test_count, meta, created_at, updated_at) VALUES (?, ?, ?, 'idx', 28, 28, 1, 10, 60000, 10000, '{}', ?, ?)`)
      .run('fashion-mnist', 'a'.repeat(64), '/data/fashion-mnist', T, T).lastInsertRowid,
  );
  const exp = Number(db.prepare(`INSERT INTO experiments (name, notes, options, created_at, updated_at) VALUES ('seeded', '', ?, ?, ?)`).run(OPTIONS, T, T).lastInsertRowid);
  const runId = Number(
    db
      .prepare(
        `INSERT INTO runs (experiment_id, dataset_id, status, options, stages, seed, backbone, dataset, budget, backend, device, dir, layers, sizes, soft, params, top1, top5, created_at, started_at, ended_at, updated_at)
         VALUES (?, ?, 'completed', ?, 'both', 3, 'resnet8', 'fashion-mnist', 60000, 'wasm', 'wasm SIMD, 1 thread', '/tmp/runs/1', ?, ?, ?, 57002, 0.8125, 0.9875, ?, ?, ?, ?)`,
      )
      .run(exp, datasetId, OPTIONS, JSON.stringify(['a', 'b', 'c', 'd', 'e', 'f']), JSON.stringify(HARD), JSON.stringify([3.1, 4.75, 2.2, 4, 1.1, 3]), T, T, T + 60_000, T + 60_000).lastInsertRowid,
  );
  const step = db.prepare(`INSERT INTO step_metrics (run_id, stage, step, epoch, loss, ce, lparam, params, lr, acc, ms, time) VALUES (?, 1, ?, 1, ?, ?, 0.1, 60000, 0.0001, NULL, 120.5, ?)`);
  const size = db.prepare(`INSERT INTO size_history (run_id, step, soft, hard) VALUES (?, ?, ?, ?)`);
  [2.5, 2.25, 2].forEach((loss, i) => {
    step.run(runId, i + 1, loss, loss - 0.2, T + i);
    size.run(runId, i + 1, JSON.stringify([3.1, 4.75, 2.2, 4, 1.1, 3]), JSON.stringify(HARD));
  });
  db.prepare(`INSERT INTO epoch_metrics (run_id, stage, epoch, seconds, train_loss, train_acc, top1, top5, test_loss, params, time) VALUES (?, 2, 1, 12.5, 0.9, 0.7, 0.8125, 0.9875, 0.6, 57002, ?)`).run(runId, T);
  db.prepare(`INSERT INTO artifacts (run_id, kind, path, sha256, bytes, meta, created_at) VALUES (?, 'config', '/tmp/runs/1/config.json', ?, 1234, '{}', ?)`).run(runId, 'b'.repeat(64), T);
  const queuedRunId = Number(
    db
      .prepare(`INSERT INTO runs (experiment_id, status, options, stages, seed, backbone, dataset, budget, backend, dir, created_at, updated_at) VALUES (?, 'queued', ?, 'both', 4, 'resnet8', 'fashion-mnist', 60000, 'auto', '/tmp/runs/2', ?, ?)`)
      .run(exp, OPTIONS, T + 1000, T + 1000).lastInsertRowid,
  );
  return { runId, datasetId, queuedRunId };
}

/** Version 2 code writes queued_at with every new run. */
function seedV2(db: Database.Database): Seeded {
  const ids = seedV1(db);
  db.prepare('UPDATE runs SET queued_at = created_at WHERE id IN (?, ?)').run(ids.runId, ids.queuedRunId);
  return ids;
}

/** Version 3 code records the seeded experiment as a one-point sweep (its completed run). */
function seedV3(db: Database.Database): Seeded {
  const ids = seedV2(db);
  const exp = db.prepare('SELECT experiment_id FROM runs WHERE id = ?').pluck().get(ids.runId) as number;
  const grid = JSON.stringify({ budgets: [{ kind: 'params', params: 60000, label: '60k' }], backbones: ['resnet8'], datasets: ['fashion-mnist'], seeds: [3], baseline: false });
  const sweep = Number(db.prepare(`INSERT INTO sweeps (experiment_id, grid, options, parallel, created_at, updated_at) VALUES (?, ?, '{}', 1, ?, ?)`).run(exp, grid, T, T).lastInsertRowid);
  db.prepare(`INSERT INTO sweep_points (sweep_id, idx, run_id, kind, backbone, dataset, seed, budget_label, budget) VALUES (?, 0, ?, 'search', 'resnet8', 'fashion-mnist', 3, '60k', 60000)`).run(sweep, ids.runId);
  return ids;
}

/** Version 4 code records where a fleet run ran; this one ran on a worker, its queued one is on the local queue. */
function seedV4(db: Database.Database): Seeded {
  const ids = seedV3(db);
  db.prepare(`UPDATE runs SET fleet_job = 'f00d.1.1', worker = 'gpu-1', worker_host = 'lab-server' WHERE id = ?`).run(ids.runId);
  return ids;
}

/** How to write the seed rows into a database that is at version v. */
export const SEED_AT_VERSION: Record<number, (db: Database.Database) => Seeded> = {
  1: seedV1,
  2: seedV2,
  3: seedV3,
  4: seedV4,
};

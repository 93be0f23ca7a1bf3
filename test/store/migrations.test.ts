// Schema migrations: from an empty file and from every earlier version (with rows written
// in that version's schema), all-or-nothing steps, refusal of a newer database, the
// connection settings, and the file read by the stock sqlite3 shell.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { EffconvError } from '../../main/contract/errors';
import { migrate, MIGRATIONS, SCHEMA_VERSION, schemaVersion, type Migration } from '../../main/store/migrations';
import { epochMetrics, getRunRow, getRunSummary, listArtifacts, listSweepRecords, metricSeries, openStore, queuedRuns, sizeHistory, storeId, sweepPointRows } from '../../main/store';
import { SEED_AT_VERSION } from './fixtures';
import { REPO_ROOT } from '../helpers/data';

const tmp = mkdtempSync(join(tmpdir(), 'effconv-migrate-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const file = () => join(tmp, `db${++n}.sqlite`);

test('an empty file is migrated to the newest version with the connection settings the store promises', () => {
  const path = file();
  const store = openStore(path);
  assert.equal(schemaVersion(store.db), SCHEMA_VERSION);
  assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(store.db.pragma('foreign_keys', { simple: true }), 1);
  assert.equal(store.db.pragma('synchronous', { simple: true }), 2, 'synchronous=FULL');
  assert.ok((store.db.pragma('busy_timeout', { simple: true }) as number) >= 1000);
  const tables = store.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();
  for (const t of ['artifacts', 'datasets', 'epoch_metrics', 'experiments', 'runs', 'size_history', 'step_metrics']) assert.ok(tables.includes(t), `table ${t}`);
  assert.deepEqual(store.db.pragma('foreign_key_check'), []);
  assert.equal(store.db.pragma('integrity_check', { simple: true }), 'ok');
  store.close();
  // Opening again is a no-op.
  const again = openStore(path);
  assert.equal(schemaVersion(again.db), SCHEMA_VERSION);
  again.close();
});

test('the version list is 1, 2, 3, … with a seed fixture for every version', () => {
  assert.deepEqual(MIGRATIONS.map((m) => m.version), MIGRATIONS.map((_, i) => i + 1));
  for (const m of MIGRATIONS) assert.ok(SEED_AT_VERSION[m.version], `test/store/fixtures.ts seeds version ${m.version}`);
});

for (const from of MIGRATIONS.map((m) => m.version).filter((v) => v < SCHEMA_VERSION).concat(SCHEMA_VERSION)) {
  test(`a database at version ${from} with rows in it migrates to ${SCHEMA_VERSION} and keeps every row readable`, () => {
    const path = file();
    const raw = new Database(path);
    raw.pragma('journal_mode = WAL');
    raw.pragma('foreign_keys = ON');
    migrate(raw, path, from);
    assert.equal(schemaVersion(raw), from);
    const ids = SEED_AT_VERSION[from](raw);
    raw.close();

    const store = openStore(path);
    assert.equal(schemaVersion(store.db), SCHEMA_VERSION);
    const run = getRunSummary(store, ids.runId);
    assert.equal(run.status, 'completed');
    assert.equal(run.top1, 0.8125);
    assert.deepEqual(run.sizes, [3, 5, 2, 4, 1, 3]);
    assert.equal(run.experimentName, 'seeded');
    assert.equal(getRunRow(store, ids.runId).dataset_id, ids.datasetId);
    const series = metricSeries(store, ids.runId, 1);
    assert.deepEqual(series.step, [1, 2, 3]);
    assert.deepEqual(series.metrics.loss.mean, [2.5, 2.25, 2]);
    assert.deepEqual(sizeHistory(store, ids.runId).hard[2], [3, 5, 2, 4, 1, 3]);
    assert.equal(epochMetrics(store, ids.runId)[0].top1, 0.8125);
    assert.equal(listArtifacts(store, ids.runId)[0].kind, 'config');
    assert.deepEqual(queuedRuns(store), [ids.queuedRunId], 'the queued run is still queued, in order');
    assert.equal(getRunRow(store, ids.queuedRunId).queued_at, Date.parse('2025-03-01T12:00:01Z'));
    if (from >= 3) {
      const [sweep] = listSweepRecords(store);
      assert.deepEqual(sweep.grid.budgets, [{ kind: 'params', params: 60_000, label: '60k' }]);
      assert.deepEqual(sweepPointRows(store, sweep.id).map((p) => [p.runId, p.status, p.budget]), [[ids.runId, 'completed', 60_000]]);
    }
    // Version 4: the database has its own name for the fleet's jobs, and runs say where they ran.
    assert.match(storeId(store), /^[0-9a-f]{16}$/);
    assert.deepEqual(run.worker, from >= 4 ? { name: 'gpu-1', host: 'lab-server' } : null);
    assert.equal(getRunRow(store, ids.queuedRunId).fleet_job, null);
    assert.deepEqual(store.db.pragma('foreign_key_check'), []);
    store.close();
  });
}

test('a migration that fails half-way leaves the database as it was', () => {
  const path = file();
  const db = new Database(path);
  migrate(db, path, 1);
  const failing: Migration[] = [
    ...MIGRATIONS.slice(0, 1),
    {
      version: 2,
      name: 'broken',
      up(d) {
        d.exec('CREATE TABLE half_done (x INTEGER)');
        d.exec('ALTER TABLE no_such_table ADD COLUMN y INTEGER');
      },
    },
  ];
  assert.throws(() => migrate(db, path, 2, failing), /no such table/);
  assert.equal(schemaVersion(db), 1);
  assert.equal(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'").pluck().get(), 0);
  db.close();
});

test('a database from a newer EffConv Studio is refused, untouched', () => {
  const path = file();
  openStore(path).close();
  const db = new Database(path);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  const before = readFileSync(path);
  assert.throws(
    () => openStore(path),
    (e: unknown) => e instanceof EffconvError && e.code === 'DATABASE_UNAVAILABLE' && e.message.includes(`schema version ${SCHEMA_VERSION + 1}`) && e.detail === path,
  );
  assert.deepEqual(readFileSync(path), before);
});

test('a file that is not a database fails with the path and the reason, and is left as it was', () => {
  const path = file();
  copyFileSync(new URL(import.meta.url), path); // this test's own source: real bytes, not SQLite
  const before = readFileSync(path);
  assert.throws(() => openStore(path), (e: unknown) => e instanceof EffconvError && e.code === 'DATABASE_UNAVAILABLE' && e.message.includes(path) && /not a database/.test(e.message));
  assert.deepEqual(readFileSync(path), before);
  assert.ok(!existsSync(`${path}-wal`), 'no write-ahead log was started beside it');
});

test('another program\'s SQLite database is refused by name and never written to', () => {
  const path = file();
  const other = new Database(path);
  other.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada')");
  other.close();
  const before = readFileSync(path);
  assert.throws(
    () => openStore(path),
    (e: unknown) => e instanceof EffconvError && e.code === 'DATABASE_UNAVAILABLE' && e.message.includes(`${path} is an SQLite database of another program (tables contacts)`) && e.detail === path,
  );
  assert.deepEqual(readFileSync(path), before);
  const again = new Database(path, { readonly: true });
  assert.deepEqual(again.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all(), ['contacts']);
  again.close();
});

test('openStore loads the addon named by nativeBinding (as the Electron shell passes one), and names a missing one', () => {
  const addon = join(REPO_ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  const store = openStore(file(), { nativeBinding: addon });
  assert.equal(schemaVersion(store.db), SCHEMA_VERSION);
  store.close();
  const missing = join(tmp, 'no-such-addon.node');
  assert.throws(() => openStore(file(), { nativeBinding: missing }), (e: unknown) => e instanceof EffconvError && e.code === 'DATABASE_UNAVAILABLE' && e.message.includes('no-such-addon.node'));
});

test('the stock sqlite3 shell opens the file and reads its tables and JSON columns', () => {
  const path = file();
  const raw = new Database(path);
  migrate(raw, path, SCHEMA_VERSION);
  const { runId } = SEED_AT_VERSION[SCHEMA_VERSION](raw);
  raw.close();
  const sh = (sql: string) => execFileSync('sqlite3', [path, sql], { encoding: 'utf8' }).trim();
  const tables = sh('.tables').split(/\s+/).sort();
  for (const t of ['artifacts', 'datasets', 'epoch_metrics', 'experiments', 'runs', 'size_history', 'step_metrics']) assert.ok(tables.includes(t), `.tables lists ${t}`);
  assert.equal(sh(`SELECT status || ' ' || top1 FROM runs WHERE id = ${runId}`), 'completed 0.8125');
  // Layer 1's soft size at step 3, through json_each: the history is readable without our code.
  assert.equal(sh(`SELECT j.value FROM size_history h, json_each(h.soft) j WHERE h.run_id = ${runId} AND h.step = 3 AND j.key = 1`), '4.75');
  assert.equal(sh('PRAGMA integrity_check'), 'ok');
});

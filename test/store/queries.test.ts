// Experiments and runs as the UI lists them: create/rename, filter/sort/page in SQL, the
// Pareto view, cascading deletes, and list queries over 10,000 runs inside a time budget.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EffconvError } from '../../main/contract/errors';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../../main/contract/run';
import type { RunQuery } from '../../main/contract/store';
import {
  addArtifact, createExperiment, deleteExperimentRows, endRun, experimentNamed, getExperiment, getRunSummary, insertRun, listExperiments, listRuns,
  MetricsRecorder, openStore, paretoView, recordRunResults, updateExperiment, upsertDataset, type Store,
} from '../../main/store';

const tmp = mkdtempSync(join(tmpdir(), 'effconv-queries-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const options = (o: Partial<RunOptions> = {}): RunOptions => ({ ...DEFAULT_RUN_OPTIONS, dataset: 'fashion-mnist', ...o });
const runsRoot = join(tmp, 'runs');

function completed(store: Store, exp: number, o: { budget: number; params: number; top1: number; dataset?: string; backbone?: string }): number {
  const id = insertRun(store, { experimentId: exp, options: options({ dataset: o.dataset ?? 'fashion-mnist' }), backbone: o.backbone ?? 'resnet20', budget: o.budget, runsRoot });
  recordRunResults(store, id, { sizes: [3, 3], soft: null, params: o.params, top1: o.top1, top5: null, searchSecondsPerEpoch: 1, trainSecondsPerEpoch: 2 });
  endRun(store, id, 'completed');
  return id;
}

test('experiments: names are unique, notes and names can change, counts and best top-1 come from their runs', () => {
  const store = openStore(join(tmp, 'experiments.db'));
  const a = createExperiment(store, { name: 'cifar budgets', notes: 'first try', options: options() });
  assert.equal(a.runCount, 0);
  assert.throws(() => createExperiment(store, { name: 'cifar budgets', options: options() }), (e: unknown) => e instanceof EffconvError && e.detail === 'name');
  assert.throws(() => createExperiment(store, { name: '   ', options: options() }), /needs a name/);
  assert.equal(experimentNamed(store, 'cifar budgets', options()), a.id, 'the CLI finds an existing experiment by name');
  const r1 = completed(store, a.id, { budget: 200_000, params: 199_000, top1: 0.9 });
  completed(store, a.id, { budget: 400_000, params: 398_000, top1: 0.92 });
  const failed = insertRun(store, { experimentId: a.id, options: options(), backbone: 'resnet20', budget: 1, runsRoot });
  endRun(store, failed, 'failed', { code: 'INTERNAL', message: 'boom', detail: '' });
  const got = getExperiment(store, a.id);
  assert.equal(got.runCount, 3);
  assert.deepEqual(got.statusCounts, { completed: 2, failed: 1 });
  assert.equal(got.bestTop1, 0.92);
  assert.equal(getRunSummary(store, r1).experimentName, 'cifar budgets');
  assert.equal(getRunSummary(store, failed).error!.message, 'boom');
  const renamed = updateExperiment(store, a.id, { name: 'CIFAR budgets', notes: 'renamed' });
  assert.equal(renamed.name, 'CIFAR budgets');
  assert.equal(renamed.notes, 'renamed');
  createExperiment(store, { name: 'other', options: options() });
  assert.throws(() => updateExperiment(store, a.id, { name: 'other' }), /already exists/);
  assert.deepEqual(listExperiments(store, { sort: 'name' }).items.map((e) => e.name), ['CIFAR budgets', 'other']);
  assert.deepEqual(listExperiments(store, { text: 'renam' }).items.map((e) => e.name), ['CIFAR budgets'], 'text search reads notes too');
  assert.throws(() => getExperiment(store, 999), (e: unknown) => e instanceof EffconvError && e.code === 'EXPERIMENT_NOT_FOUND');
  store.close();
});

test('deleting an experiment deletes its runs and every row hanging off them, and names the folders to remove', () => {
  const store = openStore(join(tmp, 'delete.db'));
  const keep = experimentNamed(store, 'keep', options());
  const gone = experimentNamed(store, 'gone', options());
  const parent = completed(store, gone, { budget: 1, params: 1, top1: 0.5 });
  const child = insertRun(store, { experimentId: keep, parentRunId: parent, options: options(), backbone: 'resnet20', budget: 1, runsRoot });
  const rec = new MetricsRecorder(store, parent);
  rec.record({ type: 'step', stage: 1, epoch: 1, step: 1, stepInEpoch: 1, stepsPerEpoch: 1, totalSteps: 1, loss: 1, lr: 1, ms: 1, etaSeconds: 0, soft: [3], hard: [3] });
  rec.record({ type: 'epoch', stage: 1, epoch: 1, epochs: 1, seconds: 1, trainLoss: 1 });
  addArtifact(store, { runId: parent, kind: 'config', path: join(runsRoot, String(parent), 'config.json') });
  const { runs } = deleteExperimentRows(store, gone);
  assert.deepEqual(runs, [{ id: parent, dir: join(runsRoot, String(parent)) }]);
  for (const t of ['runs', 'step_metrics', 'epoch_metrics', 'size_history', 'artifacts']) {
    const col = t === 'runs' ? 'id' : 'run_id';
    assert.equal(store.db.prepare(`SELECT count(*) FROM ${t} WHERE ${col} = ?`).pluck().get(parent), 0, `${t} rows of the deleted run`);
  }
  assert.equal(getRunSummary(store, child).parentRunId, null, 'a run in another experiment loses its lineage link, not its rows');
  assert.equal(listExperiments(store).total, 1);
  store.close();
});

test('the Pareto view keeps the best run per dataset and budget and flags the non-dominated ones', () => {
  const store = openStore(join(tmp, 'pareto.db'));
  const e = experimentNamed(store, 'sweep', options());
  const a = completed(store, e, { budget: 200_000, params: 198_000, top1: 0.90 });
  completed(store, e, { budget: 200_000, params: 199_000, top1: 0.89 }); // same budget, worse: hidden
  const c = completed(store, e, { budget: 400_000, params: 401_000, top1: 0.88 }); // bigger and worse than a: dominated
  const d = completed(store, e, { budget: 600_000, params: 590_000, top1: 0.93, backbone: 'resnet44' });
  const other = completed(store, e, { budget: 200_000, params: 200_000, top1: 0.5, dataset: 'cifar10' });
  const v = paretoView(store, { dataset: 'fashion-mnist' });
  assert.deepEqual(v.points.map((p) => [p.runId, p.onFront]), [[a, true], [c, false], [d, true]]);
  const all = paretoView(store);
  assert.deepEqual(all.points.find((p) => p.runId === other), { ...all.points.find((p) => p.runId === other)!, onFront: true }, 'each dataset has its own front');
  assert.deepEqual(paretoView(store, { backbone: 'resnet44' }).points.map((p) => p.runId), [d]);
  store.close();
});

test('datasets are upserted by name and digest', () => {
  const store = openStore(join(tmp, 'datasets.db'));
  const rec = { name: 'fashion-mnist', sha256: 'c'.repeat(64), height: 28, width: 28, channels: 1, classes: 10, trainCount: 60_000, testCount: 10_000 };
  const id = upsertDataset(store, rec);
  assert.equal(upsertDataset(store, { ...rec, testCount: 9_000 }), id);
  assert.notEqual(upsertDataset(store, { ...rec, sha256: 'd'.repeat(64) }), id, 'other content, other row');
  assert.notEqual(upsertDataset(store, { ...rec, sha256: null }), id);
  assert.equal(upsertDataset(store, { ...rec, sha256: null }), upsertDataset(store, { ...rec, sha256: null }), 'an unknown digest is one key too');
  assert.throws(() => upsertDataset(store, { ...rec, sha256: 'xyz' }), /sha256 must be 64 hex digits/);
  assert.throws(() => upsertDataset(store, { ...rec, classes: 0 }), /classes must be an integer >= 1/);
  store.close();
});

const STATUSES = ['completed', 'completed', 'completed', 'failed', 'cancelled', 'interrupted', 'paused', 'queued'] as const;
const DATASETS = ['cifar10', 'fashion-mnist', 'mnist', 'stl10'];
const BACKBONES = ['resnet20', 'resnet32', 'resnet44', 'resnet56', 'wrn-28-1'];

function seed10k(store: Store): void {
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  store.write(() => {
    const exps = Array.from({ length: 40 }, (_, i) => experimentNamed(store, `experiment ${i}`, options()));
    const ins = store.db.prepare(
      `INSERT INTO runs (experiment_id, status, options, stages, seed, backbone, dataset, budget, backend, dir, params, top1, sizes, created_at, updated_at)
       VALUES (?, ?, '{}', 'both', ?, ?, ?, ?, 'wasm', ?, ?, ?, '[3,3]', ?, ?)`,
    );
    for (let i = 0; i < 10_000; i++) {
      const status = STATUSES[i % STATUSES.length];
      const budget = 100_000 * (1 + (i % 9));
      const top1 = status === 'completed' ? 0.8 + ((i * 7919) % 1000) / 10_000 : null;
      ins.run(exps[i % 40], status, i % 5, BACKBONES[(i >> 2) % 5], DATASETS[(i >> 3) % 4], budget, join(runsRoot, String(i)), budget - (i % 1000), top1, t0 + i * 1000, t0 + i * 1000);
    }
  });
}

function medianMs(fn: () => unknown): number {
  const t: number[] = [];
  for (let i = 0; i < 7; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[3];
}

test('10,000 runs: filtered, sorted pages come back right and each query takes a few milliseconds', () => {
  const store = openStore(join(tmp, 'many.db'));
  seed10k(store);
  const queries: [string, RunQuery, (p: ReturnType<typeof listRuns>) => void][] = [
    ['newest page', { limit: 50 }, (p) => {
      assert.equal(p.total, 10_000);
      assert.equal(p.items.length, 50);
      assert.ok(p.items[0].id > p.items[49].id);
    }],
    ['deep page by id', { limit: 50, offset: 9_950, order: 'asc', sort: 'id' }, (p) => assert.equal(p.items.length, 50)],
    ['completed by top-1', { status: 'completed', sort: 'top1', limit: 20 }, (p) => {
      assert.equal(p.total, 3_750);
      for (let i = 1; i < p.items.length; i++) assert.ok(p.items[i - 1].top1! >= p.items[i].top1!);
    }],
    ['two statuses', { status: ['paused', 'interrupted'] }, (p) => assert.equal(p.total, 2_500)],
    ['one experiment', { experiment: 'experiment 7', sort: 'created', order: 'asc' }, (p) => {
      assert.equal(p.total, 250);
      assert.ok(p.items.every((r) => r.experimentName === 'experiment 7'));
    }],
    ['dataset + backbone', { dataset: 'mnist', backbone: 'resnet44', sort: 'params' }, (p) => {
      assert.ok(p.total > 0);
      assert.ok(p.items.every((r) => r.dataset === 'mnist' && r.backbone === 'resnet44'));
    }],
    ['text search', { text: 'wrn', limit: 10 }, (p) => assert.equal(p.total, 2_000)],
    ['top-1 ascending puts runs without a result last', { sort: 'top1', order: 'asc', offset: 3_750, limit: 5 }, (p) => assert.ok(p.items.every((r) => r.top1 === null))],
  ];
  const timings: string[] = [];
  for (const [name, q, check] of queries) {
    check(listRuns(store, q));
    const ms = medianMs(() => listRuns(store, q));
    timings.push(`${name} ${ms.toFixed(2)} ms`);
    assert.ok(ms < 40, `${name}: ${ms.toFixed(1)} ms (budget 40 ms)`);
  }
  const expMs = medianMs(() => listExperiments(store, { sort: 'best' }));
  const paretoMs = medianMs(() => paretoView(store, { dataset: 'cifar10' }));
  timings.push(`experiments ${expMs.toFixed(2)} ms`, `pareto ${paretoMs.toFixed(2)} ms`);
  assert.ok(expMs < 40 && paretoMs < 40, timings.join('; '));
  const front = paretoView(store, { dataset: 'cifar10' }).points;
  assert.equal(front.length, 9, 'one best run per budget');
  process.stdout.write(`# list timings over 10,000 runs: ${timings.join('; ')}\n`);
  assert.throws(() => listRuns(store, { status: 'done' as never }), /unknown run status "done"/);
  assert.throws(() => listRuns(store, { sort: 'name' as never }), /cannot sort runs by "name"/);
  assert.throws(() => listRuns(store, { limit: 0 }), /limit must be an integer >= 1/);
  store.close();
});

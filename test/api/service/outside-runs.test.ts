// A run driven by another process (an `effconv run` in a terminal) is followed through the
// database: its steps, epochs and status changes are republished as PushEvents, in order,
// each once, with the values the run recorded.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { PushEvent } from '../../../main/contract/api';
import type { EpochEvent, StepEvent } from '../../../main/contract/events';
import { OutsideRunWatcher } from '../../../main/api/service/outside-runs';
import { openRunStore } from '../../../main/api/records/run-records';
import { REPO_ROOT, addFashionMnist } from '../../helpers/data';

const tmp = mkdtempSync(join(tmpdir(), 'effconv-outside-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('an effconv run in another process is followed step by step, then its end', { timeout: 300_000 }, async () => {
  const home = join(tmp, 'home');
  await addFashionMnist(home); // --dataset fashion-mnist: the repository's fixture
  const store = openRunStore(join(home, 'effconv.db'));
  const events: PushEvent[] = [];
  const watcher = new OutsideRunWatcher(store, () => false, (e) => events.push(e));
  const args = [
    'run', '--backbone', 'resnet8', '--dataset', 'fashion-mnist', '--budget', '60k', '--batch-size', '32', '--train-batch-size', '32',
    '--limit-train', '96', '--limit-test', '64', '--search-epochs', '2', '--train-epochs', '1', '--backend', 'wasm', '--seed', '5', '--json',
  ];
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/effconv.js'), ...args], { env: { ...process.env, EFFCONV_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let code: number | null | undefined;
  void exited.then((c) => (code = c));
  while (code === undefined) {
    watcher.poll();
    await new Promise((r) => setTimeout(r, 50));
  }
  watcher.poll();
  assert.equal(code, 0, stderr);

  const runId = store.db.prepare('SELECT max(id) FROM runs').pluck().get() as number;
  const mine = events.filter((e) => e.kind !== 'task' && e.runId === runId);
  const statuses = mine.flatMap((e) => (e.kind === 'run-status' ? [e.status] : []));
  assert.equal(statuses.at(-1), 'completed', `statuses ${statuses.join(' → ')}`);
  assert.ok(statuses.includes('running'), 'the watcher saw it running');
  const steps = mine.flatMap((e) => (e.kind === 'run' && e.event.type === 'step' ? [e.event as StepEvent] : []));
  const epochs = mine.flatMap((e) => (e.kind === 'run' && e.event.type === 'epoch' ? [e.event as EpochEvent] : []));

  // Whatever it caught, it caught in order, once, up to the end of each stage.
  const key = (s: StepEvent) => `${s.stage}:${s.step}`;
  assert.equal(new Set(steps.map(key)).size, steps.length, 'no step twice');
  for (let i = 1; i < steps.length; i++) {
    const [a, b] = [steps[i - 1], steps[i]];
    assert.ok(b.stage > a.stage ? b.step === 1 : b.stage === a.stage && b.step === a.step + 1, `step ${key(b)} follows ${key(a)}`);
  }
  assert.equal(key(steps.at(-1)!), '2:3', 'the last step of stage 2');
  assert.ok(steps.some((s) => s.stage === 1), 'stage-1 steps were followed');
  assert.deepEqual(epochs.map((e) => `${e.stage}:${e.epoch}/${e.epochs}`).slice(-1), ['2:1/1']);

  // The values are the run's own rows.
  const rows = store.db.prepare('SELECT stage, step, epoch, loss, ce, params, acc FROM step_metrics WHERE run_id = ? ORDER BY stage, step').all(runId) as Record<string, number | null>[];
  for (const s of steps) {
    const r = rows.find((x) => x.stage === s.stage && x.step === s.step)!;
    assert.equal(s.loss, r.loss);
    assert.equal(s.epoch, r.epoch);
    if (s.stage === 1) {
      assert.equal(s.ce, r.ce);
      assert.equal(s.params, r.params);
      assert.equal(s.hard!.length, 6, 'stage-1 steps carry the sizes');
      assert.equal(s.totalSteps, 6);
      assert.equal(s.stepInEpoch, ((s.step - 1) % 3) + 1);
    } else {
      assert.equal(s.acc, r.acc);
      assert.equal(s.totalSteps, 3);
    }
  }
  const stage2Done = mine.findIndex((e) => e.kind === 'run' && e.event.type === 'step' && e.event.stage === 2 && e.event.step === 3);
  const completed = mine.findIndex((e) => e.kind === 'run-status' && e.status === 'completed');
  assert.ok(stage2Done < completed, 'the last step is published before the end');

  // Nothing new: nothing published.
  const n = events.length;
  watcher.poll();
  assert.equal(events.length, n);
  store.close();
});

test("a run this process drives is left to its own events", async () => {
  const store = openRunStore(join(tmp, 'own.db'));
  const other = openRunStore(join(tmp, 'own.db'));
  const events: PushEvent[] = [];
  const watcher = new OutsideRunWatcher(store, (id) => id === 1, (e) => events.push(e), 0);
  const exp = other.db.prepare(`INSERT INTO experiments (name, options, created_at, updated_at) VALUES ('e', '{}', 1, 1)`).run().lastInsertRowid;
  for (const id of [1, 2]) {
    other.db
      .prepare(`INSERT INTO runs (id, experiment_id, status, options, stages, seed, backbone, dataset, backend, dir, created_at, updated_at) VALUES (?, ?, 'running', '{}', 'both', 1, 'resnet8', 'fashion-mnist', 'wasm', '/tmp/x', ?, ?)`)
      .run(id, exp, Date.now(), Date.now());
  }
  watcher.poll();
  assert.deepEqual(events.map((e) => (e.kind === 'task' ? null : e.runId)), [2]);
  other.close();
  store.close();
});

test('steps committed faster than a poll reads them all arrive in one poll, in order', () => {
  const store = openRunStore(join(tmp, 'burst.db'));
  const other = openRunStore(join(tmp, 'burst.db'));
  const events: PushEvent[] = [];
  const watcher = new OutsideRunWatcher(store, () => false, (e) => events.push(e), 0);
  const exp = other.db.prepare(`INSERT INTO experiments (name, options, created_at, updated_at) VALUES ('e', '{}', 1, 1)`).run().lastInsertRowid;
  const id = Number(
    other.db
      .prepare(`INSERT INTO runs (experiment_id, status, options, stages, seed, backbone, dataset, backend, dir, created_at, updated_at) VALUES (?, 'running', '{"searchEpochs":1}', 'search', 1, 'resnet8', 'fashion-mnist', 'wasm', '/tmp/x', ?, ?)`)
      .run(exp, Date.now(), Date.now()).lastInsertRowid,
  );
  watcher.poll();
  assert.deepEqual(events.map((e) => e.kind), ['run-status']);
  const step = other.db.prepare('INSERT INTO step_metrics (run_id, stage, step, epoch, loss, time) VALUES (?, 1, ?, 1, ?, 0)');
  other.db.transaction(() => {
    for (let s = 1; s <= 2500; s++) step.run(id, s, 1 / s);
    other.db.prepare('UPDATE runs SET stage = 1, step = 2500, total_steps = 5000, updated_at = ? WHERE id = ?').run(Date.now() + 1, id);
  })();
  watcher.poll();
  const steps = events.flatMap((e) => (e.kind === 'run' && e.event.type === 'step' ? [e.event] : []));
  assert.equal(steps.length, 2500);
  assert.ok(steps.every((s, i) => s.step === i + 1 && s.loss === 1 / (i + 1) && s.totalSteps === 5000));
  other.close();
  store.close();
});

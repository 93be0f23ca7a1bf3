// effconv run records its run; runs/show list it; a run killed with SIGKILL during stage 1
// is found interrupted, `effconv resume` finishes it, and the result is the uninterrupted
// run's, bit for bit (soft sizes, every metric row once). Real Fashion-MNIST, wasm, ResNet-8.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { EffconvConfig } from '../../main/contract/config';
import type { TrainEvent } from '../../main/contract/events';
import { DEFAULT_RUN_OPTIONS } from '../../main/contract/run';
import type { RunDetail } from '../../main/contract/api';
import type { Page, RunRow } from '../../main/contract/store';
import { RunQueue } from '../../main/api/processes/run-queue';
import { inProcessTasks } from '../../main/api/processes/tasks';
import { openRunStore } from '../../main/api/records/run-records';
import { createRunService } from '../../main/api/service/run-service';
import { openStore } from '../../main/store';
import { REPO_ROOT } from '../helpers/data';

const tmp = mkdtempSync(join(tmpdir(), 'effconv-cli-runs-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const home = join(tmp, 'home');
const env = { ...process.env, EFFCONV_HOME: home };
const CLI = join(REPO_ROOT, 'bin/effconv.js');

function effconv(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 600_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Stage 1: 3 epochs × 6 steps of 16 images; stage 2: 1 epoch × 6 steps. Seeded.
const RUN = ['--backbone', 'resnet8', '--dataset', 'fashion-mnist', '--budget', '60k', '--search-epochs', '3', '--train-epochs', '1', '--batch-size', '16',
  '--train-batch-size', '16', '--limit-train', '96', '--limit-test', '64', '--backend', 'wasm', '--seed', '11'];

interface StepRow { stage: number; step: number; epoch: number; loss: number | null; ce: number | null; lparam: number | null; params: number | null; lr: number | null; acc: number | null }

function readRun(id: number): { steps: StepRow[]; soft: string; history: { step: number; soft: string; hard: string }[]; epochs: unknown[] } {
  const store = openStore(join(home, 'effconv.db'));
  try {
    return {
      steps: store.db.prepare('SELECT stage, step, epoch, loss, ce, lparam, params, lr, acc FROM step_metrics WHERE run_id = ? ORDER BY stage, step').all(id) as StepRow[],
      soft: store.db.prepare('SELECT soft FROM runs WHERE id = ?').pluck().get(id) as string,
      history: store.db.prepare('SELECT step, soft, hard FROM size_history WHERE run_id = ? ORDER BY step').all(id) as { step: number; soft: string; hard: string }[],
      epochs: store.db.prepare('SELECT stage, epoch, train_loss, train_acc, top1, top5, test_loss, params, sizes, soft FROM epoch_metrics WHERE run_id = ? ORDER BY stage, epoch').all(id),
    };
  } finally {
    store.close();
  }
}

let reference = 0;

test('effconv run records the run under --name; runs and show list it, as tables and as JSON', () => {
  const r = effconv('run', ...RUN, '--name', 'reference', '--json');
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { run: number; sizes: number[]; out: string };
  reference = summary.run;
  assert.equal(summary.out, join(home, 'runs', String(reference)), 'without --out, files go to the run folder');
  const cfg = JSON.parse(readFileSync(join(summary.out, 'config.json'), 'utf8')) as EffconvConfig;
  assert.deepEqual(cfg.layers.map((l) => l.kernel), summary.sizes);

  const list = effconv('runs', '--json');
  assert.equal(list.code, 0, list.stderr);
  const page = JSON.parse(list.stdout) as Page<RunRow>;
  assert.equal(page.total, 1);
  assert.deepEqual({ id: page.items[0].id, status: page.items[0].status, experiment: page.items[0].experimentName, sizes: page.items[0].sizes }, { id: reference, status: 'completed', experiment: 'reference', sizes: summary.sizes });
  const table = effconv('runs', '--experiment', 'reference');
  assert.match(table.stdout, /^RUN\s+STATUS\s+EXPERIMENT/);
  assert.match(table.stdout, new RegExp(`\\n\\s*${reference}\\s+completed\\s+reference\\s+resnet8\\s+fashion-mnist\\s+60\\.0k`));
  assert.equal(JSON.parse(effconv('runs', '--status', 'failed,interrupted', '--json').stdout).total, 0);
  assert.equal(effconv('runs', '--experiment', 'nope').code, 2);
  assert.match(effconv('runs', '--status', 'done').stderr, /--status must be one or more of queued, running/);

  const show = effconv('show', String(reference), '--json');
  assert.equal(show.code, 0, show.stderr);
  const d = JSON.parse(show.stdout) as RunDetail;
  assert.deepEqual(d.layers, cfg.layers.map((l) => l.name));
  assert.deepEqual(d.epochs.map((e) => `${e.stage}:${e.epoch}`), ['1:1', '1:2', '1:3', '2:1']);
  assert.ok(d.artifacts.some((a) => a.kind === 'config' && a.path === join(summary.out, 'config.json')));
  const text = effconv('show', String(reference)).stdout;
  assert.match(text, new RegExp(`^run ${reference}  completed\\n`));
  assert.match(text, /stage1\.block1\.conv1\s+\d\s+\d\.\d{4}/);
  assert.match(effconv('show', '999').stderr, /run 999 does not exist/);
  assert.equal(effconv('show', 'x').code, 2);
});

test('effconv train --from-run retrains a recorded run\'s learned CNN as its child, in its experiment', () => {
  assert.ok(reference, 'needs the reference run');
  const r = effconv('train', '--from-run', String(reference), '--train-epochs', '1', '--train-batch-size', '16', '--limit-train', '64', '--limit-test', '64', '--backend', 'wasm', '--json');
  assert.equal(r.code, 0, r.stderr);
  const child = JSON.parse(effconv('show', String((JSON.parse(r.stdout) as { run: number }).run), '--json').stdout) as RunDetail;
  const parent = JSON.parse(effconv('show', String(reference), '--json').stdout) as RunDetail;
  assert.equal(child.parentRunId, reference);
  assert.equal(child.experimentName, 'reference');
  assert.equal(child.stages, 'train');
  assert.deepEqual(child.sizes, parent.sizes);
  assert.equal(child.params, parent.params);
  assert.match(effconv('train', '--from-run', String(reference), '--config', 'x.json').stderr, /--from-run goes with effconv train, instead of --config/);
  // Leave the reference experiment with only the reference run for the next test's listing.
  const store = openStore(join(home, 'effconv.db'));
  store.db.prepare('DELETE FROM runs WHERE id = ?').run(child.id);
  store.close();
});

test('train --from-run without flags asks for the run the Api\'s retrainRun makes: the parent\'s epochs, batch sizes, limits and backend', async () => {
  assert.ok(reference, 'needs the reference run');
  const cli = effconv('train', '--from-run', String(reference), '--json', '--quiet');
  assert.equal(cli.code, 0, cli.stderr);
  const fromCli = JSON.parse(effconv('show', String((JSON.parse(cli.stdout) as { run: number }).run), '--json').stdout) as RunDetail;
  // The same request through the Api, recorded by a queue that is never started (nothing runs).
  const store = openRunStore(join(home, 'effconv.db'));
  const queue = new RunQueue({ store, launcher: { launch: () => assert.fail('nothing may start') } });
  const api = createRunService({ store, executor: queue, tasks: inProcessTasks(), publish: () => {}, runsRoot: join(home, 'runs') });
  try {
    const { runId } = await api.retrainRun(reference, {});
    const fromApi = await api.getRun(runId);
    assert.deepEqual(fromCli.options, fromApi.options);
    assert.equal(fromCli.options.trainEpochs, 1, "the parent's, not the CLI's default of 200");
    assert.deepEqual([fromCli.options.trainBatchSize, fromCli.options.limitTrain, fromCli.options.limitTest, fromCli.options.backend], [16, 96, 64, 'wasm']);
    assert.deepEqual([fromApi.parentRunId, fromApi.experimentId], [fromCli.parentRunId, fromCli.experimentId]);
    await api.deleteRun(runId);
    await api.deleteRun(fromCli.id);
  } finally {
    api.dispose();
    store.close();
  }
  assert.match(effconv('train', '--from-run', String(reference), '--budget', '80k').stderr, /--budget does not apply to --from-run/);
});

test('a run killed with SIGKILL in stage 1 is interrupted; effconv resume ends it with the same sizes and each metric row once', async () => {
  assert.ok(reference, 'needs the reference run');
  const child = spawn(process.execPath, [CLI, 'run', ...RUN, '--name', 'killed', '--quiet'], { env, stdio: 'ignore' });
  const dbPath = join(home, 'effconv.db');
  let killedAt = 0;
  let id = 0;
  // Kill once metric rows past the first epoch's checkpoint (step 6) are committed, still in stage 1.
  for (let i = 0; i < 2400 && !killedAt; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const store = openStore(dbPath);
    const row = store.db.prepare(`SELECT max(id) AS id FROM runs`).get() as { id: number };
    const n = row.id > reference ? (store.db.prepare('SELECT count(*) FROM step_metrics WHERE run_id = ? AND stage = 1').pluck().get(row.id) as number) : 0;
    const ckpt = row.id > reference ? (store.db.prepare(`SELECT count(*) FROM artifacts WHERE run_id = ? AND kind = 'checkpoint'`).pluck().get(row.id) as number) : 0;
    store.close();
    if (n > 6 && n < 18 && ckpt > 0) {
      child.kill('SIGKILL');
      killedAt = n;
      id = row.id;
    }
    assert.ok(n < 18, 'stage 1 ended before the kill: make it longer');
  }
  await new Promise((r) => child.once('exit', r));
  assert.ok(killedAt > 6, 'killed after the first epoch');

  const listed = JSON.parse(effconv('runs', '--json').stdout) as Page<RunRow>;
  const killed = listed.items.find((r) => r.id === id)!;
  assert.equal(killed.status, 'interrupted', 'a run whose process died is marked interrupted when the database is next opened');
  assert.match(killed.error!.message, /ended without finishing/);
  assert.ok(readRun(id).steps.length >= killedAt, 'rows past the checkpoint were committed before the kill');

  const r = effconv('resume', String(id));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /resuming run \d+ from its stage-1 checkpoint at step (6|12)/);

  const a = readRun(reference);
  const b = readRun(id);
  assert.equal(b.soft, a.soft, 'bit-identical soft sizes (float32, stored with 9 digits)');
  assert.deepEqual(b.steps, a.steps, 'every step once, with the values of the uninterrupted run');
  assert.equal(b.steps.length, 18 + 6);
  assert.deepEqual(b.history, a.history);
  assert.deepEqual(b.epochs, a.epochs);
  const log = readFileSync(join(home, 'runs', String(id), 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainEvent);
  const steps = log.filter((e) => e.type === 'step').map((e) => `${e.stage}:${(e as { step: number }).step}`);
  assert.equal(steps.length, 24);
  assert.equal(new Set(steps).size, 24, 'metrics.jsonl lists each step once');
  assert.equal(effconv('resume', String(id)).code, 2, 'a completed run cannot be resumed');
  assert.match(effconv('resume', String(id)).stderr, /already completed/);
  // The stock sqlite3 shell reads the same database.
  assert.equal(execFileSync('sqlite3', [join(home, 'effconv.db'), `SELECT status FROM runs WHERE id = ${id}`], { encoding: 'utf8' }).trim(), 'completed');
});

test('two processes resuming the same run: one runs it, the other is refused by name', async () => {
  // A run paused before it started (recorded by a queue that never ran it).
  const store = openRunStore(join(home, 'effconv.db'));
  const queue = new RunQueue({ store, launcher: { launch: () => assert.fail('nothing may start') } });
  const api = createRunService({ store, executor: queue, tasks: inProcessTasks(), publish: () => {}, runsRoot: join(home, 'runs') });
  const { runId } = await api.startRun({ experiment: 'twice', options: { ...DEFAULT_RUN_OPTIONS, backbone: 'resnet8', dataset: 'fashion-mnist', budget: '60k', searchEpochs: 1, trainEpochs: 1, batchSize: 16, trainBatchSize: 16, limitTrain: 32, limitTest: 32, backend: 'wasm', seed: 2 } });
  await api.pauseRun(runId);
  api.dispose();
  store.close();
  const resume = () =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'resume', String(runId), '--quiet'], { env });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => resolve({ code, stderr }));
    });
  const [a, b] = await Promise.all([resume(), resume()]);
  const codes = [a.code, b.code].sort();
  assert.deepEqual(codes, [0, 2], `${a.stderr}\n${b.stderr}`);
  const refused = a.code === 2 ? a : b;
  assert.match(refused.stderr, new RegExp(`run ${runId} is (still )?running \\(pid \\d+\\)`));
  assert.equal(JSON.parse(effconv('show', String(runId), '--json').stdout).status, 'completed');
});

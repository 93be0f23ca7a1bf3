// effconv sweep as users run it (the built CLI) on real MNIST: a grid with the baseline runs
// to the end and `sweep show --json` lists its points; an unreachable budget is refused before
// anything runs; the process driving a sweep killed with SIGKILL mid-point, then `sweep
// resume`: finished points are not run again and every metric row is there once.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { SweepDetail } from '../../main/contract/sweep';
import { openStore } from '../../main/store';
import { REPO_ROOT, sharedData } from '../helpers/data';
import { useTempLibrary } from '../helpers/library';

const { home } = useTempLibrary('effconv-cli-sweep-');
const env = { ...process.env, EFFCONV_HOME: home };
const CLI = join(REPO_ROOT, 'bin/effconv.js');

function effconv(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 900_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SMALL = ['--dataset', 'mnist', '--backbone', 'resnet8', '--batch-size', '32', '--train-batch-size', '32', '--limit-train', '64', '--limit-test', '64', '--backend', 'wasm', '--train-epochs', '1'];

before(() => {
  const r = effconv('dataset', 'import', sharedData('mnist'), '--name', 'mnist', '--quiet');
  assert.equal(r.code, 0, r.stderr);
});

test('effconv sweep runs the grid with the baseline; sweep show --json lists every point with sizes and a Pareto flag', () => {
  const r = effconv('sweep', ...SMALL, '--search-epochs', '1', '--budget', '30k,0.8x', '--seed', '1,2', '--baseline', '--parallel', '2', '--name', 'cli grid');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /sweep "cli grid": 0\/6 points done/);
  assert.match(r.stderr, /sweep "cli grid": 6\/6 points done: completed/);
  const s = JSON.parse(effconv('sweep', 'show', 'cli grid', '--json').stdout) as SweepDetail;
  assert.equal(s.points.length, 6);
  assert.deepEqual(s.points.map((p) => p.kind), ['baseline', 'search', 'search', 'baseline', 'search', 'search']);
  for (const p of s.points) {
    assert.equal(p.status, 'completed');
    assert.equal(p.sizes!.length, 6);
    const beaten = s.points.some((q) => q !== p && ((q.params! <= p.params! && q.top1! > p.top1!) || (q.params! < p.params! && q.top1! === p.top1!)));
    assert.equal(p.onFront, !beaten, `point ${p.index}`);
  }
  const table = effconv('sweep', 'show', String(s.id)).stdout;
  assert.match(table, /POINT\s+RUN\s+STATUS\s+BUDGET/);
  assert.match(table, /baseline 3×3\s+resnet8\s+mnist\s+1\s+75\.0k/);
  assert.match(effconv('sweep', 'list').stdout, new RegExp(`${s.id}\\s+completed\\s+cli grid\\s+6/6`));
  const missing = effconv('sweep', 'show', 'nope');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no sweep named or numbered "nope"/);
});

test('an unreachable budget is refused before anything runs', () => {
  const before = JSON.parse(effconv('runs', '--json').stdout).total as number;
  const r = effconv('sweep', ...SMALL, '--budget', '40k,0.05x', '--name', 'refused');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /point "resnet8 · mnist · 0.05x · seed 0": budget 3,750 is outside what resnet8 can reach on mnist: 9,466 \(all 1×1\) … 402,682 \(all 7×7\)/);
  assert.equal(JSON.parse(effconv('runs', '--json').stdout).total, before);
});

test('SIGKILL of the sweep\'s process mid-point, then sweep resume: finished points are not rerun, every metric row once', async () => {
  // Three points one at a time; each has 3 search epochs × 2 steps and 1 training epoch × 2 steps.
  const child = spawn(process.execPath, [CLI, 'sweep', ...SMALL, '--search-epochs', '3', '--budget', '30k,40k,50k', '--seed', '4', '--name', 'killed', '--quiet'], { env, stdio: 'ignore' });
  const db = join(home, 'effconv.db');
  const points = () => {
    const store = openStore(db);
    try {
      return store.db
        .prepare(`SELECT p.idx, r.id, r.status, r.started_at AS started, r.ended_at AS ended, (SELECT count(*) FROM step_metrics m WHERE m.run_id = r.id) AS steps
                  FROM sweep_points p JOIN sweeps s ON s.id = p.sweep_id JOIN experiments e ON e.id = s.experiment_id JOIN runs r ON r.id = p.run_id
                  WHERE e.name = 'killed' ORDER BY p.idx`)
        .all() as { idx: number; id: number; status: string; started: number | null; ended: number | null; steps: number }[];
    } finally {
      store.close();
    }
  };
  let atKill: ReturnType<typeof points> = [];
  for (let i = 0; i < 6000 && !atKill.length; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const now = points();
    if (now[0]?.status === 'completed' && now[1]?.status === 'running' && now[1].steps >= 1) {
      child.kill('SIGKILL');
      atKill = now;
    }
  }
  await new Promise((r) => child.once('exit', r));
  assert.ok(atKill.length === 3, 'killed while the second point ran');
  assert.equal(atKill[2].status, 'queued');

  const r = effconv('sweep', 'resume', 'killed');
  assert.equal(r.code, 0, r.stderr);
  const after = points();
  assert.deepEqual(after.map((p) => p.status), ['completed', 'completed', 'completed']);
  assert.deepEqual([after[0].id, after[0].started, after[0].ended], [atKill[0].id, atKill[0].started, atKill[0].ended], 'the finished point was not run again');
  for (const p of after) {
    assert.equal(p.steps, 3 * 2 + 2, `run ${p.id}: each step's metric row once`);
    const log = readFileSync(join(home, 'runs', String(p.id), 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; stage: number; step: number });
    const steps = log.filter((e) => e.type === 'step').map((e) => `${e.stage}:${e.step}`);
    assert.equal(new Set(steps).size, steps.length, `run ${p.id}: metrics.jsonl lists each step once`);
    assert.equal(steps.length, 8);
  }
});

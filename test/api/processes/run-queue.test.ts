// The local run queue with real worker processes (the built out/main/worker.js) on real
// Fashion-MNIST: one run at a time with a queue, streamed events, pause → resume, cancel,
// a worker killed with SIGKILL, and runs left 'running' by a dead process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { StepEvent } from '../../../main/contract/events';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../../../main/contract/run';
import type { RunExecutorEvent, RunStatus } from '../../../main/contract/store';
import { nodeWorkerLauncher } from '../../../main/api/processes/launcher';
import { RunQueue } from '../../../main/api/processes/run-queue';
import { createRun, openRunStore } from '../../../main/api/records/run-records';
import { deleteRunRow, getRunRow, getRunSummary, listArtifacts, type Store } from '../../../main/store';
import { REPO_ROOT, withFashionMnist } from '../../helpers/data';

const WORKER = join(REPO_ROOT, 'out/main/worker.js');
const tmp = mkdtempSync(join(tmpdir(), 'effconv-jobs-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
await withFashionMnist(join(tmp, 'home')); // runs name --dataset fashion-mnist: the repository's fixture (workers inherit EFFCONV_HOME)
const runsRoot = join(tmp, 'runs');

// Stage 1 only, 16-image batches: `steps` steps an epoch.
const search = (o: Partial<RunOptions> & { steps: number }): RunOptions => ({
  ...DEFAULT_RUN_OPTIONS, backbone: 'resnet8', dataset: 'fashion-mnist', budget: '60k', stages: 'search', searchEpochs: 1, trainEpochs: 0,
  batchSize: 16, seed: 7, backend: 'wasm', limitTrain: 16 * o.steps, limitTest: 16, ...o,
});

function runner(store: Store): { runner: RunQueue; events: RunExecutorEvent[] } {
  assert.ok(existsSync(WORKER), `${WORKER} is missing: npm run build`);
  const r = new RunQueue({ store, launcher: nodeWorkerLauncher(WORKER) });
  const events: RunExecutorEvent[] = [];
  r.subscribe((e) => events.push(e));
  return { runner: r, events };
}

function until(r: RunQueue, pred: (e: RunExecutorEvent) => boolean, ms = 120_000): Promise<RunExecutorEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching job event within ${ms} ms`));
    }, ms);
    const off = r.subscribe((e) => {
      if (pred(e)) {
        clearTimeout(timer);
        off();
        resolve(e);
      }
    });
  });
}

const statusOf = (runId: number, status: RunStatus) => (e: RunExecutorEvent) => e.type === 'status' && e.runId === runId && e.status === status;
const statuses = (events: RunExecutorEvent[], runId: number) => events.filter((e) => e.type === 'status' && e.runId === runId).map((e) => (e as { status: RunStatus }).status);
const stepCount = (store: Store, id: number) => store.db.prepare('SELECT count(*) FROM step_metrics WHERE run_id = ?').pluck().get(id) as number;

test('runs go one at a time in submission order, each in its own process, with their events streamed', async () => {
  const store = openRunStore(join(tmp, 'queue.db'));
  const { runner: r, events } = runner(store);
  r.start();
  const pids = new Map<number, number | null>();
  r.subscribe((e) => {
    if (e.type === 'train' && !pids.has(e.runId)) pids.set(e.runId, getRunRow(store, e.runId).pid);
  });
  const a = r.submit({ options: search({ steps: 3 }), experiment: 'queue', runsRoot });
  const b = r.submit({ options: search({ steps: 2, seed: 8 }), experiment: 'queue', runsRoot });
  assert.equal(getRunSummary(store, b.id).status, 'queued');
  await r.idle();
  assert.deepEqual(statuses(events, a.id), ['queued', 'running', 'completed']);
  assert.deepEqual(statuses(events, b.id), ['queued', 'running', 'completed']);
  const [pa, pb] = [pids.get(a.id), pids.get(b.id)];
  assert.ok(pa && pb && pa !== process.pid && pb !== process.pid && pa !== pb, `worker pids ${pa}, ${pb} (this process ${process.pid})`);
  const aDone = events.findIndex(statusOf(a.id, 'completed'));
  const bRunning = events.findIndex(statusOf(b.id, 'running'));
  assert.ok(aDone < bRunning, 'the second run starts after the first ends');
  const steps = events.filter((e): e is { type: 'train'; runId: number; event: StepEvent } => e.type === 'train' && e.runId === a.id && e.event.type === 'step');
  assert.deepEqual(steps.map((e) => e.event.step), [1, 2, 3]);
  for (const s of steps) {
    assert.equal(s.event.soft!.length, 6);
    assert.ok(Number.isFinite(s.event.etaSeconds) && Number.isFinite(s.event.loss));
  }
  assert.equal(stepCount(store, a.id), 3, 'the worker recorded its steps itself');
  assert.notEqual(getRunRow(store, a.id).started_at, null);
  store.close();
});

test('pause checkpoints at the next step and ends the process; resume continues it to the end', async () => {
  const store = openRunStore(join(tmp, 'pause.db'));
  const { runner: r } = runner(store);
  r.start();
  const run = r.submit({ options: search({ steps: 4, searchEpochs: 2 }), runsRoot });
  const paused = until(r, statusOf(run.id, 'paused'));
  const off = r.subscribe((e) => {
    if (e.type === 'train' && e.event.type === 'step' && e.event.step === 2) {
      off();
      r.pause(run.id);
    }
  });
  await paused;
  await r.idle();
  assert.deepEqual(r.running, []);
  const ckpt = listArtifacts(store, run.id, 'checkpoint')[0];
  // A pause that lands on an epoch's last step is served by that epoch's own checkpoint.
  if (ckpt.meta.reason === 'epoch') assert.equal(ckpt.meta.index, 0, 'an epoch checkpoint starts the next epoch');
  else assert.equal(ckpt.meta.reason, 'pause');
  const done = stepCount(store, run.id);
  assert.ok(done >= 2 && done < 8, `${done} steps before the pause took effect`);
  assert.equal(done, (ckpt.meta.epoch as number) * 4 + (ckpt.meta.index as number), 'the checkpoint is right after the last recorded step');
  const completed = until(r, statusOf(run.id, 'completed'));
  r.resume(run.id);
  await completed;
  await r.idle();
  assert.equal(stepCount(store, run.id), 8);
  assert.equal(store.db.prepare('SELECT count(DISTINCT step) FROM step_metrics WHERE run_id = ?').pluck().get(run.id), 8);
  store.close();
});

test('a cancelled run ends cancelled, not failed; a queued one is cancelled without starting', async () => {
  const store = openRunStore(join(tmp, 'cancel.db'));
  const { runner: r } = runner(store);
  r.start();
  const run = r.submit({ options: search({ steps: 6 }), runsRoot });
  const queued = r.submit({ options: search({ steps: 2 }), runsRoot });
  r.cancel(queued.id);
  assert.equal(getRunSummary(store, queued.id).status, 'cancelled');
  const cancelled = until(r, statusOf(run.id, 'cancelled'));
  const off = r.subscribe((e) => {
    if (e.type === 'train' && e.event.type === 'step') {
      off();
      r.cancel(run.id);
    }
  });
  await cancelled;
  await r.idle();
  const s = getRunSummary(store, run.id);
  assert.equal(s.status, 'cancelled');
  assert.equal(s.error, null);
  assert.ok(stepCount(store, run.id) < 6);
  assert.equal(stepCount(store, queued.id), 0);
  assert.throws(() => r.cancel(run.id), /already cancelled/);
  store.close();
});

test('a queued run deleted while its worker starts: the worker finds nothing to claim, the queue goes on to the next run', async () => {
  const store = openRunStore(join(tmp, 'deleted.db'));
  const { runner: r, events } = runner(store);
  r.start();
  const gone = r.submit({ options: search({ steps: 2 }), runsRoot }); // its worker is starting now
  deleteRunRow(store, gone.id); // as deleting its sweep or experiment does at that moment
  const next = r.submit({ options: search({ steps: 2 }), runsRoot });
  await until(r, statusOf(next.id, 'completed'));
  await r.idle();
  assert.equal(getRunSummary(store, next.id).status, 'completed');
  assert.ok(!events.some((e) => e.type === 'status' && e.runId === gone.id && e.status !== 'queued'), 'no status for a run that no longer exists');
  store.close();
});

test('a worker killed with SIGKILL leaves its run interrupted; a run left running by a dead process is marked interrupted at start', async () => {
  const store = openRunStore(join(tmp, 'kill.db'));
  const { runner: r } = runner(store);
  r.start();
  const run = r.submit({ options: search({ steps: 6 }), runsRoot });
  const interrupted = until(r, statusOf(run.id, 'interrupted'));
  const off = r.subscribe((e) => {
    if (e.type === 'train' && e.event.type === 'step' && e.event.step === 2) {
      off();
      process.kill(getRunRow(store, run.id).pid!, 'SIGKILL');
    }
  });
  const e = await interrupted;
  assert.match((e as { error: { message: string } }).error.message, /killed \(SIGKILL\)/);
  await r.idle();

  // A process that has exited: its pid is free. A 'running' row that names it is stale.
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const stale = r.submit({ options: search({ steps: 2 }), runsRoot });
  await until(r, statusOf(stale.id, 'completed'));
  store.db.prepare(`UPDATE runs SET status = 'running', pid = ?, pid_token = NULL, ended_at = NULL WHERE id = ?`).run(Number(gone.stdout), stale.id);
  // Our own pid with another process's start identity: a recycled pid, not the run's process.
  const recycled = r.submit({ options: search({ steps: 2 }), runsRoot });
  await until(r, statusOf(recycled.id, 'completed'));
  await r.idle();
  store.db.prepare(`UPDATE runs SET status = 'running', pid = ?, pid_token = 'another-boot:1', ended_at = NULL WHERE id = ?`).run(process.pid, recycled.id);
  const fresh = openRunStore(store.path);
  assert.equal(getRunSummary(fresh, stale.id).status, 'interrupted');
  assert.equal(getRunSummary(fresh, recycled.id).status, 'interrupted');
  fresh.close();
  store.close();
});

test('a worker with no parent to talk to (the parent died) still runs its run to the end in the database', () => {
  const store = openRunStore(join(tmp, 'orphan.db'));
  const run = createRun(store, { options: search({ steps: 2 }), runsRoot });
  // Plain spawn: no IPC channel at all, as after the parent's death.
  const r = spawnSync(process.execPath, [WORKER, '--db', store.path, '--run', String(run.id)], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(getRunSummary(store, run.id).status, 'completed');
  assert.equal(stepCount(store, run.id), 2);
  const again = spawnSync(process.execPath, [WORKER, '--db', store.path, '--run', String(run.id)], { encoding: 'utf8' });
  assert.equal(again.status, 3, 'a run that is not queued is not taken');
  assert.match(again.stderr, /is completed, not queued/);
  store.close();
});

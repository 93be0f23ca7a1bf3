// The fleet with a real redis-server and real `effconv worker` processes (two, one wasm thread
// each, their own libraries): runs on real Fashion-MNIST end bit-for-bit as they end locally;
// a worker killed with SIGKILL mid-run has its run finished by the other one from a checkpoint,
// each step and epoch recorded once; redis-server restarted mid-run changes nothing; pause,
// resume and cancel reach the worker; a data set altered in transit is refused by the worker.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TrainEvent } from '../../../../main/contract/events';
import type { SweepDetail } from '../../../../main/contract/sweep';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../../../../main/contract/run';
import type { RunExecutorEvent, RunStatus } from '../../../../main/contract/store';
import { connectQueue } from '../../../../main/api/processes/fleet/connection';
import { FleetExecutor } from '../../../../main/api/processes/fleet/fleet-executor';
import { datasetPackage, offerDataset } from '../../../../main/api/processes/fleet/fleet-datasets';
import { Queue } from 'bullmq';
import { BULL_PREFIX, keys, QUEUE_NAME } from '../../../../main/api/processes/fleet/keys';
import { parseQueueUrl } from '../../../../main/api/processes/fleet/queue-url';
import { listWorkerBeats } from '../../../../main/api/processes/fleet/registry';
import { openRunStore } from '../../../../main/api/records/run-records';
import { importDataset } from '../../../../main/data/library/import-dataset';
import { exportRun } from '../../../../main/export/export-run';
import { getRunRecord, getRunRow, listArtifacts, type Store } from '../../../../main/store';
import { fixture } from '../../../helpers/data';
import { effconvBin, startWorker, type TestWorker } from '../../../helpers/fleet-workers';
import { useTempLibrary } from '../../../helpers/library';
import { startRedis, type RedisServer } from '../../../helpers/redis';

const { home } = useTempLibrary('effconv-fleet-');
const runsRoot = join(home, 'runs');

// ResNet-8 on 64 Fashion-MNIST images: 4 steps an epoch; 2 search epochs, 1 training epoch.
const run = (seed: number, o: Partial<RunOptions> = {}): RunOptions => ({
  ...DEFAULT_RUN_OPTIONS, backbone: 'resnet8', dataset: 'fashion-mnist', budget: '60k', searchEpochs: 2, trainEpochs: 1,
  batchSize: 16, trainBatchSize: 16, seed, backend: 'wasm', limitTrain: 64, limitTest: 64, ...o,
});
const STEPS = 2 * 4 + 4;

let redis: RedisServer;
const workers: TestWorker[] = [];
const retired: TestWorker[] = [];

before(async () => {
  redis = await startRedis();
  workers.push(...(await Promise.all([startWorker(redis.url, 'w1'), startWorker(redis.url, 'w2')])));
});
after(async () => {
  await Promise.all([...workers, ...retired].map((w) => w.remove()));
  await redis?.remove();
});

interface Outcome {
  sizes: number[];
  soft: number[];
  top1: number;
  top5: number;
  steps: unknown[];
  epochs: unknown[];
  weights: string;
}

const stepRows = (store: Store, id: number) => store.db.prepare('SELECT stage, step, epoch, loss, ce, lparam, params, lr, acc FROM step_metrics WHERE run_id = ? ORDER BY stage, step').all(id);

function outcome(store: Store, id: number): Outcome {
  const d = getRunRecord(store, id);
  const w = d.artifacts.find((a) => a.kind === 'weights')!;
  return {
    sizes: d.sizes!, soft: d.soft!, top1: d.top1!, top5: d.top5!, steps: stepRows(store, id),
    epochs: d.epochs.map(({ time: _t, seconds: _s, ...e }) => e), weights: createHash('sha256').update(readFileSync(w.path)).digest('hex'),
  };
}

// The same runs done locally, as a terminal does them (`effconv run`, its own process and
// database, so this process stays the responsive coordinator): what every remote run must equal.
const localHome = mkdtempSync(join(tmpdir(), 'effconv-fleet-local-'));
const references = new Map<number, Promise<Outcome>>();
let localChain: Promise<unknown> = Promise.resolve();
function reference(seed: number): Promise<Outcome> {
  let p = references.get(seed);
  if (!p) {
    const o = run(seed);
    const args = ['run', '--backbone', o.backbone, '--dataset', o.dataset, '--budget', String(o.budget), '--search-epochs', String(o.searchEpochs), '--train-epochs', String(o.trainEpochs),
      '--batch-size', String(o.batchSize), '--train-batch-size', String(o.trainBatchSize), '--seed', String(seed), '--backend', 'wasm', '--limit-train', String(o.limitTrain),
      '--limit-test', String(o.limitTest), '--name', `seed ${seed}`, '--quiet'];
    // One at a time: they share two cores with the workers.
    p = localChain.then(async () => {
      const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
        const child = spawn(process.execPath, [effconvBin(), ...args], { env: { ...process.env, EFFCONV_HOME: localHome }, stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.on('exit', (code) => resolve({ code, err }));
      });
      assert.equal(r.code, 0, r.err);
      const store = openRunStore(join(localHome, 'effconv.db'));
      try {
        const id = store.db.prepare(`SELECT r.id FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE e.name = ?`).pluck().get(`seed ${seed}`) as number;
        return outcome(store, id);
      } finally {
        store.close();
      }
    });
    localChain = p.catch(() => {});
    references.set(seed, p);
  }
  return p;
}

async function coordinator(name: string): Promise<{ store: Store; fleet: FleetExecutor; events: RunExecutorEvent[] }> {
  const store = openRunStore(join(home, `${name}.db`));
  const target = parseQueueUrl(redis.url);
  const fleet = new FleetExecutor({ store, queue: target, redis: await connectQueue(target, `test-${name}`), attempts: 3, retryMs: 1000, adopt: true });
  const events: RunExecutorEvent[] = [];
  fleet.subscribe((e) => events.push(e));
  fleet.start();
  after(async () => {
    await fleet.shutdown();
    store.close();
  });
  return { store, fleet, events };
}

function until(fleet: FleetExecutor, pred: (e: RunExecutorEvent) => boolean, ms = 180_000): Promise<RunExecutorEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching event within ${ms} ms`));
    }, ms);
    const off = fleet.subscribe((e) => {
      if (pred(e)) {
        clearTimeout(timer);
        off();
        resolve(e);
      }
    });
  });
}

const ended = (runId: number) => (e: RunExecutorEvent) => e.type === 'status' && e.runId === runId && ['completed', 'failed', 'cancelled', 'paused'].includes(e.status);
const logs = (events: RunExecutorEvent[], runId: number) =>
  events.flatMap((e) => (e.type === 'train' && e.runId === runId && e.event.type === 'log' ? [(e.event as TrainEvent & { message: string }).message] : []));

function assertSameAsLocal(store: Store, id: number, ref: Outcome): void {
  const got = outcome(store, id);
  assert.deepEqual(got.sizes, ref.sizes, `run ${id}: sizes`);
  assert.deepEqual(got.soft, ref.soft, `run ${id}: soft sizes, bit for bit`);
  assert.equal(got.top1, ref.top1, `run ${id}: top-1`);
  assert.equal(got.top5, ref.top5, `run ${id}: top-5`);
  assert.deepEqual(got.steps, ref.steps, `run ${id}: every step once, with the local run's values`);
  assert.deepEqual(got.epochs, ref.epochs, `run ${id}: every epoch once`);
  assert.equal(got.weights, ref.weights, `run ${id}: the same weights`);
}

test('4 runs on 2 workers: each ends with the sizes, top-1, metrics and weights of the same run done locally, followed live', async () => {
  const { store, fleet, events } = await coordinator('four');
  const seeds = [11, 12, 13, 14];
  const ids = seeds.map((seed) => fleet.submit({ options: run(seed), experiment: 'fleet', runsRoot }).id);
  assert.deepEqual(ids.map((id) => getRunRow(store, id).status), ['queued', 'queued', 'queued', 'queued']);
  // While they run, the workers' heartbeats say what each executes.
  await until(fleet, (e) => e.type === 'train' && e.event.type === 'step');
  const conn = await connectQueue(parseQueueUrl(redis.url), 'test-beats');
  const beats = await listWorkerBeats(conn);
  conn.disconnect();
  assert.deepEqual(beats.map((b) => b.name).sort(), ['w1', 'w2']);
  assert.ok(beats.every((b) => b.online && b.backend === 'wasm' && /WebAssembly/.test(b.device)), JSON.stringify(beats));
  assert.ok(beats.some((b) => b.jobs.some((j) => ids.includes(j.runId))), 'a worker lists the run it executes');
  for (const seed of seeds) void reference(seed); // done locally while the workers train
  await Promise.all(ids.map((id) => (getRunRow(store, id).status === 'completed' ? null : until(fleet, ended(id)))));

  for (const [i, id] of ids.entries()) {
    const row = getRunRow(store, id);
    assert.equal(row.status, 'completed', `run ${id}: ${row.error}`);
    assertSameAsLocal(store, id, await reference(seeds[i]));
    assert.equal(row.backend, 'wasm');
    assert.match(row.device!, /WebAssembly SIMD, 1 thread/);
    // Where it ran, and files as a local run leaves them (config.json names its weights' sha256).
    const d = getRunRecord(store, id);
    assert.ok(d.worker && ['w1', 'w2'].includes(d.worker.name), JSON.stringify(d.worker));
    const config = JSON.parse(readFileSync(join(d.dir, 'config.json'), 'utf8'));
    assert.equal(config.weights.sha256, createHash('sha256').update(readFileSync(join(d.dir, 'model.safetensors'))).digest('hex'));
    assert.equal(config.dataset.name, 'fashion-mnist');
    assert.equal(config.dataset.source, 'fashion-mnist');
    assert.equal(d.datasetRecord!.name, 'fashion-mnist');
    assert.equal(readFileSync(join(d.dir, 'metrics.jsonl'), 'utf8').trim().split('\n').filter((l) => JSON.parse(l).type === 'step').length, STEPS);
    // Exports read the run's folder as they read a local run's.
    const exported = await exportRun(d.dir, { format: 'pytorch', out: join(home, `export-${id}`) });
    assert.ok(existsSync(join(exported.out, 'model.py')) && existsSync(join(exported.out, 'model.safetensors')), JSON.stringify(exported));
    const statuses = events.filter((e) => e.type === 'status' && e.runId === id).map((e) => (e as { status: RunStatus }).status);
    assert.deepEqual(statuses, ['queued', 'running', 'completed']);
    const steps = events.flatMap((e) => (e.type === 'train' && e.runId === id && e.event.type === 'step' ? [`${e.event.stage}:${e.event.step}`] : []));
    assert.equal(new Set(steps).size, STEPS, 'every step was published live');
    // More only if the run was handed to another attempt (a lock lapsed on this busy machine) and continued from a checkpoint.
    if (steps.length > STEPS) assert.ok(logs(events, id).some((m) => /continuing from the checkpoint|attempt [2-9]/.test(m)), logs(events, id).join(' | '));
  }
  assert.deepEqual(new Set(ids.map((id) => getRunRow(store, id).worker)), new Set(['w1', 'w2']), 'both workers took runs');
  // Live: a report is recorded here within about a second of reaching Redis (the median: on this
  // shared 2-core machine an fsync or a busy core now and then holds a few back).
  const lags = [...fleet.lag.recentMs].sort((a, b) => a - b);
  const q = (p: number) => lags[Math.min(lags.length - 1, Math.floor(p * lags.length))];
  assert.ok(q(0.5) < 1000, `lag: median ${q(0.5)} ms, 90th percentile ${q(0.9)} ms, max ${fleet.lag.maxMs} ms over ${lags.length} messages`);
  process.stderr.write(`# fleet lag: median ${q(0.5)} ms, 90th percentile ${q(0.9)} ms, max ${fleet.lag.maxMs} ms over ${lags.length} messages\n`);
  // Nothing of these runs is left in Redis (the data set stays on offer for the next runs).
  assert.deepEqual(redis.cli('--scan', '--pattern', 'effconv:fleet:run:*'), '');
});

test('a worker killed with SIGKILL mid-run: the other worker finishes the run from its last checkpoint, each step and epoch recorded once', async () => {
  const { store, fleet, events } = await coordinator('kill');
  const id = fleet.submit({ options: run(21), runsRoot }).id;
  const ref = reference(21);
  // Stage 1, epoch 2 is under way: epoch 1's checkpoint is recorded.
  await until(fleet, (e) => e.type === 'train' && e.runId === id && e.event.type === 'step' && e.event.stage === 1 && e.event.step === 6);
  assert.ok(listArtifacts(store, id, 'checkpoint').length >= 1, 'epoch 1 was checkpointed');
  const victim = workers.find((w) => w.name === getRunRow(store, id).worker)!;
  await victim.kill('SIGKILL');
  await until(fleet, ended(id));
  const row = getRunRow(store, id);
  assert.equal(row.status, 'completed', row.error ?? '');
  assert.notEqual(row.worker, victim.name, 'the other worker finished it');
  const resumed = logs(events, id).find((m) => /continuing from the checkpoint/.test(m));
  assert.match(resumed ?? '', /stage 1, step (4|8)\b/, `resumed from a checkpoint, not restarted: ${logs(events, id).join(' | ')}`);
  assertSameAsLocal(store, id, await ref);
  // The killed worker's job process left with it (nothing it computed could reach the coordinator).
  const orphans = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('fleet-job.js') && l.includes(victim.home));
  assert.deepEqual(orphans, []);
  retired.push(victim);
  workers.splice(workers.indexOf(victim), 1, await startWorker(redis.url, 'w3'));
});

test('redis-server restarted mid-run: both runs finish, as they finish locally', async () => {
  const { store, fleet, events } = await coordinator('restart');
  const ids = [31, 32].map((seed) => fleet.submit({ options: run(seed), runsRoot }).id);
  const refs = Promise.all([reference(31), reference(32)]);
  await until(fleet, (e) => e.type === 'train' && e.event.type === 'step' && e.event.step >= 3);
  await redis.stop();
  await new Promise((r) => setTimeout(r, 3000));
  await redis.start();
  await Promise.all(ids.map((id) => (getRunRow(store, id).status === 'completed' ? null : until(fleet, ended(id), 240_000))));
  for (const [i, id] of ids.entries()) {
    assert.equal(getRunRow(store, id).status, 'completed', getRunRow(store, id).error ?? '');
    assertSameAsLocal(store, id, (await refs)[i]);
  }
  const said = logs(events, ids[0]);
  assert.ok(said.some((m) => /cannot be reached/.test(m)), `the coordinator said Redis was gone: ${said.join(' | ')}`);
  assert.ok(said.some((m) => /is back/.test(m)), 'and that it came back');
});

test('pause reaches the worker (the run stops at a checkpoint); resume continues it to the local result; cancel ends a run cancelled', async () => {
  const { store, fleet } = await coordinator('pause');
  const id = fleet.submit({ options: run(41), runsRoot }).id;
  const ref = reference(41);
  await until(fleet, (e) => e.type === 'train' && e.runId === id && e.event.type === 'step' && e.event.step === 2);
  fleet.pause(id);
  await until(fleet, ended(id));
  assert.equal(getRunRow(store, id).status, 'paused');
  const ckpt = listArtifacts(store, id, 'checkpoint')[0];
  assert.ok(ckpt && ['pause', 'epoch'].includes(ckpt.meta.reason as string), JSON.stringify(ckpt?.meta));
  const done = stepRows(store, id).length;
  assert.ok(done >= 2 && done < STEPS, `${done} steps before the pause`);
  fleet.resume(id);
  await until(fleet, ended(id));
  assert.equal(getRunRow(store, id).status, 'completed', getRunRow(store, id).error ?? '');
  assertSameAsLocal(store, id, await ref);

  const gone = fleet.submit({ options: run(42), runsRoot }).id;
  await until(fleet, (e) => e.type === 'train' && e.runId === gone && e.event.type === 'step');
  fleet.cancel(gone);
  await until(fleet, ended(gone));
  const row = getRunRow(store, gone);
  assert.equal(row.status, 'cancelled');
  assert.equal(row.error, null);
  assert.ok(stepRows(store, gone).length < STEPS);
});

test('a data set altered in the queue is refused by the worker by name: the run fails, nothing is stored or trained on', async () => {
  await importDataset(fixture('mnist'), { name: 'mnist' });
  const conn = await connectQueue(parseQueueUrl(redis.url), 'test-tamper');
  const pkg = datasetPackage('mnist');
  await offerDataset(conn, pkg);
  // One byte of the training images, changed in Redis.
  const chunk = `${keys.dataFile(pkg.ref.sha256, pkg.files.findIndex((f) => f.name === 'train.u8'))}:0`; // the first chunk (the fixture's 784,000 bytes may fit in one)
  const byte = (await conn.getrangeBuffer(chunk, 100, 100))[0];
  await conn.setrange(chunk, 100, Buffer.from([byte ^ 0xff]));
  try {
    const { store, fleet } = await coordinator('tamper');
    const id = fleet.submit({ options: run(51, { dataset: 'mnist' }), runsRoot }).id;
    await until(fleet, ended(id));
    const row = getRunRow(store, id);
    assert.equal(row.status, 'failed');
    assert.equal(row.error_code, 'CHECKSUM_MISMATCH');
    assert.match(row.error!, /dataset mnist, train\.u8: the bytes in the queue have sha256 [0-9a-f]{12}…, not the [0-9a-f]{12}… they were sent with; refused/);
    assert.equal(stepRows(store, id).length, 0);
    for (const w of workers) assert.ok(!existsSync(join(w.home, 'datasets', 'mnist')), `${w.name} stored nothing`);
  } finally {
    // The altered copy goes (whatever the assertions said); the next run offers the data set afresh.
    const left = await conn.keys(`${keys.data(pkg.ref.sha256)}*`);
    if (left.length) await conn.del(...left);
    conn.disconnect();
  }
});

test('a 4-point sweep on MNIST with 2 workers completes, each point with the sizes and top-1 of the same point run locally', async () => {
  const grid = ['--dataset', 'mnist', '--backbone', 'resnet8', '--budget', '30k,60k', '--seed', '1,2', '--search-epochs', '1', '--train-epochs', '1', '--batch-size', '16',
    '--train-batch-size', '16', '--limit-train', '64', '--limit-test', '64', '--backend', 'wasm', '--name', 'budgets', '--json', '--quiet'];
  const sweep = async (extra: string[]) => {
    const h = mkdtempSync(join(tmpdir(), 'effconv-fleet-sweep-'));
    after(() => rmSync(h, { recursive: true, force: true }));
    const cli = (args: string[]) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(process.execPath, [effconvBin(), ...args], { env: { ...process.env, EFFCONV_HOME: h, EFFCONV_WASM_THREADS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.on('exit', (code) => resolve({ code, out, err }));
      });
    const imported = await cli(['dataset', 'import', fixture('mnist'), '--name', 'mnist', '--quiet']);
    assert.equal(imported.code, 0, imported.err);
    const r = await cli(['sweep', ...grid, ...extra]);
    assert.equal(r.code, 0, r.err);
    return { home: h, detail: JSON.parse(r.out) as SweepDetail };
  };
  // On the fleet (this terminal coordinates, the workers train), and locally, one point at a time.
  const [remote, local] = await Promise.all([sweep(['--queue', redis.url]), sweep(['--parallel', '1'])]);
  assert.equal(remote.detail.status, 'completed');
  assert.equal(remote.detail.points.length, 4);
  const key = (p: SweepDetail['points'][number]) => `${p.budgetLabel} seed ${p.seed}`;
  const mine = new Map(local.detail.points.map((p) => [key(p), p]));
  for (const p of remote.detail.points) {
    const q = mine.get(key(p))!;
    assert.equal(p.status, 'completed', key(p));
    assert.deepEqual(p.sizes, q.sizes, `${key(p)}: sizes`);
    assert.equal(p.top1, q.top1, `${key(p)}: top-1`);
    assert.equal(p.params, q.params, `${key(p)}: params`);
  }
  const store = openRunStore(join(remote.home, 'effconv.db'));
  try {
      const where = remote.detail.points.map((p) => getRunRow(store, p.runId).worker);
      assert.ok(where.every((w) => w !== null && /^w\d$/.test(w)), `every point ran on a worker: ${where.join(', ')}`);
  } finally {
    store.close();
  }
});

test('a failing run is retried with backoff up to its limit, then fails with the worker\'s error', async () => {
  const { store, fleet, events } = await coordinator('retry');
  // tfjs-node is not installed on these workers: the backend cannot start on any of them.
  const id = fleet.submit({ options: run(61, { backend: 'tensorflow' }), runsRoot }).id;
  await until(fleet, ended(id));
  const row = getRunRow(store, id);
  assert.equal(row.status, 'failed');
  assert.equal(row.error_code, 'BACKEND_UNAVAILABLE');
  assert.match(row.error!, /backend tensorflow is not available/);
  const said = logs(events, id);
  assert.equal(said.filter((m) => /failed: backend tensorflow is not available; retrying in \d+ s/.test(m)).length, 2, said.join(' | '));
  assert.equal(said.filter((m) => /^on worker w\d \(.*\), attempt \d$/.test(m)).length, 3);
});

test('a job of another protocol version is refused by the worker, by name, without retrying', async () => {
  const q = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port }, prefix: BULL_PREFIX });
  try {
      const job = await q.add('run', { protocol: 999, storeId: '0123456789abcdef', runId: 1 }, { jobId: 'from-a-newer-workbench', attempts: 3 });
      let state = await job.getState();
      for (let i = 0; state !== 'failed' && i < 600; i++) {
        await new Promise((r) => setTimeout(r, 100));
        state = await job.getState();
      }
      const failed = (await q.getJob(job.id!))!;
      assert.equal(state, 'failed');
      const reason = JSON.parse(failed.failedReason);
      assert.equal(reason.code, 'PROTOCOL_MISMATCH');
      assert.match(reason.message, /job from-a-newer-workbench speaks fleet protocol 999, this worker speaks 1: run the same EffConv Studio version/);
      assert.equal(failed.attemptsMade, 1, 'not retried');
  } finally {
    await q.close();
  }
});

after(() => rmSync(localHome, { recursive: true, force: true }));

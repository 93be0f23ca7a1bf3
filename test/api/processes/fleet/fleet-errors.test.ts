// What the fleet refuses, by name, against a real redis-server: a wrong or missing password and
// an unreachable host (the CLI's coordinator and worker, exit code 6, the password never
// printed); and, at the coordinator, a checkpoint or weights whose bytes were altered in Redis
// (a worker's reports are simulated here with real files from a local run).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../../../../main/contract/run';
import type { RunExecutorEvent } from '../../../../main/contract/store';
import { AttemptChannel } from '../../../../main/api/processes/fleet/attempt-channel';
import { putBlob } from '../../../../main/api/processes/fleet/blobs';
import { connectQueue } from '../../../../main/api/processes/fleet/connection';
import { FleetExecutor } from '../../../../main/api/processes/fleet/fleet-executor';
import { keys, runKey } from '../../../../main/api/processes/fleet/keys';
import type { Message } from '../../../../main/api/processes/fleet/protocol';
import { parseQueueUrl } from '../../../../main/api/processes/fleet/queue-url';
import { claimForThisProcess, createRun, openRunStore } from '../../../../main/api/records/run-records';
import { executeStoredRun, type StoredRunOutcome } from '../../../../main/api/run/execute-stored-run';
import { openDataset } from '../../../../main/data/resolve';
import { getRunRecord, getRunRow, listArtifacts, storeId, type Store } from '../../../../main/store';
import { effconvBin } from '../../../helpers/fleet-workers';
import { useTempLibrary } from '../../../helpers/library';
import { freePort, startRedis, type RedisServer } from '../../../helpers/redis';

const { home } = useTempLibrary('effconv-fleet-errors-');
const PASSWORD = 'pw-Secr3t-9f2c';
let redis: RedisServer;
before(async () => {
  redis = await startRedis({ password: PASSWORD });
});
after(async () => redis?.remove());

const SMALL = ['--backbone', 'resnet8', '--dataset', 'fashion-mnist', '--budget', '60k', '--search-epochs', '1', '--train-epochs', '1', '--limit-train', '32', '--limit-test', '32', '--backend', 'wasm'];

function effconv(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [effconvBin(), ...args], { encoding: 'utf8', env: { ...process.env, EFFCONV_HOME: home, ...env }, timeout: 60_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

test('a wrong or missing password is refused by name, at the coordinator and the worker, and never printed', () => {
  const wrong = `redis://:not-the-${PASSWORD}@127.0.0.1:${redis.port}`;
  for (const args of [['run', ...SMALL, '--queue', wrong], ['worker', '--queue', wrong, '--backend', 'cpu'], ['workers', '--queue', wrong]]) {
    const r = effconv(args);
    assert.equal(r.code, 6, `${args[0]}: ${r.out}`);
    assert.match(r.out, new RegExp(`effconv: the fleet's Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port} refused the password: WRONGPASS`));
    assert.ok(!r.out.includes(PASSWORD), 'the password is not printed');
  }
  const none = effconv(['workers', '--queue', `redis://127.0.0.1:${redis.port}`]);
  assert.equal(none.code, 6, none.out);
  assert.match(none.out, /refused a connection without a password: NOAUTH/);
  // The right one, from the environment (kept out of argv and ps): no run recorded, none refused.
  const ok = effconv(['workers', '--queue', `redis://127.0.0.1:${redis.port}`], { EFFCONV_QUEUE_PASSWORD: PASSWORD });
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, new RegExp(`no worker has been seen on redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port}`));
  assert.ok(!ok.out.includes(PASSWORD));
});

test('an unreachable host is named, with what to check; nothing is recorded', async () => {
  const port = await freePort();
  const r = effconv(['run', ...SMALL, '--queue', `redis://:${PASSWORD}@127.0.0.1:${port}`]);
  assert.equal(r.code, 6, r.out);
  assert.match(r.out, new RegExp(`the fleet's Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port} cannot be reached: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\. Start it, or check the host and port`));
  assert.ok(!r.out.includes(PASSWORD));
  const runs = effconv(['runs', '--json']);
  assert.equal(JSON.parse(runs.out.slice(runs.out.indexOf('{'))).total, 0, 'no run was recorded');
  const w = effconv(['worker', '--queue', `redis://127.0.0.1:${port}`, '--backend', 'cpu']);
  assert.equal(w.code, 6, w.out);
  assert.match(w.out, /cannot be reached: connect ECONNREFUSED/);
});

// ---- the coordinator refuses altered bytes --------------------------------------------------

const OPTIONS: RunOptions = {
  ...DEFAULT_RUN_OPTIONS, backbone: 'resnet8', dataset: 'fashion-mnist', budget: '60k', searchEpochs: 1, trainEpochs: 1,
  batchSize: 16, trainBatchSize: 16, seed: 61, backend: 'wasm', limitTrain: 32, limitTest: 32,
};

/** A real run of these options, done here: the files and events a worker would report. */
let local: { store: Store; id: number; out: StoredRunOutcome } | null = null;
async function localRun() {
  if (local) return local;
  const store = openRunStore(join(home, 'local.db'));
  const r = createRun(store, { options: OPTIONS, runsRoot: join(home, 'local-runs') });
  claimForThisProcess(store, r.id);
  const out = await executeStoredRun(store, r.id);
  assert.equal(out.status, 'completed', JSON.stringify(out.error));
  local = { store, id: r.id, out };
  return local;
}

/** Report the local run on a fleet run's stream as its worker would, altering the bytes `tamper` names. */
async function simulate(tamper: 'checkpoint' | 'weights' | 'nothing') {
  const { store: ls, id: lid, out } = await localRun();
  const target = parseQueueUrl(`redis://:${PASSWORD}@127.0.0.1:${redis.port}`);
  const store = openRunStore(join(home, `coordinator-${tamper}.db`));
  const fleet = new FleetExecutor({ store, queue: target, redis: await connectQueue(target, 'test'), attempts: 1, retryMs: 1000 });
  const events: RunExecutorEvent[] = [];
  fleet.subscribe((e) => events.push(e));
  fleet.start();
  const id = fleet.submit({ options: OPTIONS, runsRoot: join(home, `runs-${tamper}`) }).id;
  const conn = await connectQueue(target, 'test-worker');
  const run = runKey(storeId(store), id);
  while (!(await conn.exists(`effconv:runs:${getRunRow(store, id).fleet_job}`))) await new Promise((r) => setTimeout(r, 100));
  const attempt = 'simulated-worker/1';
  const ch = await AttemptChannel.begin(conn, run, { t: 'attempt', attempt, worker: { id: 'sim', name: 'sim', host: 'nowhere' }, jobId: getRunRow(store, id).fleet_job!, attemptNo: 1 });
  const alter = async (ref: { key: string }) => {
    const first = `${ref.key}:0`;
    const b = (await conn.getrangeBuffer(first, 40, 40))[0];
    await conn.setrange(first, 40, Buffer.from([b ^ 0x01]));
  };
  await ch.post({ t: 'resume', attempt, mark: { stage: 1, steps: 0, epochs: 0 }, checkpoint: null });
  const { train: _t, test: _s, ...meta } = openDataset('fashion-mnist');
  const d = getRunRecord(ls, lid);
  await ch.post({ t: 'started', attempt, info: { backend: 'wasm', device: 'simulated', layers: d.layers!, dataset: { ...meta, trainCount: 60_000, testCount: 10_000, spec: 'fashion-mnist' } } as never });
  const logged = readFileSync(join(d.dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => {
    const { time: _time, ...e } = JSON.parse(l);
    return e;
  });
  await ch.post({ t: 'events', attempt, events: logged });
  const ckpt = listArtifacts(ls, lid, 'checkpoint').at(-1)!;
  const cblob = await putBlob(conn, keys.blob(run, 'ckpt'), readFileSync(ckpt.path));
  if (tamper === 'checkpoint') await alter(cblob);
  await ch.postCheckpoint({ t: 'checkpoint', attempt, blob: cblob }, { blob: cblob, mark: { stage: 2, steps: 2, epochs: 1 } });
  const wblob = await putBlob(conn, keys.blob(run, 'weights'), readFileSync(join(d.dir, 'model.safetensors')));
  if (tamper === 'weights') await alter(wblob);
  const end: Message = { t: 'end', attempt, status: 'completed', result: out.result as never, weights: wblob };
  await ch.post(end);
  await new Promise<void>((resolve) => {
    const check = () => (['completed', 'failed'].includes(getRunRow(store, id).status) ? resolve() : setTimeout(check, 100));
    check();
  });
  await fleet.shutdown();
  conn.disconnect();
  return { store, id, events, lid, ls };
}

test('reports applied as a local run records them; a checkpoint or weights altered in Redis are refused by sha256', async () => {
  const good = await simulate('nothing');
  const g = getRunRecord(good.store, good.id);
  assert.equal(g.status, 'completed');
  assert.deepEqual(g.sizes, getRunRecord(good.ls, good.lid).sizes);
  assert.equal(g.top1, getRunRecord(good.ls, good.lid).top1);
  assert.equal(listArtifacts(good.store, good.id, 'checkpoint').length, 1, 'the checkpoint is recorded');
  const w = g.artifacts.find((a) => a.kind === 'weights')!;
  assert.equal(createHash('sha256').update(readFileSync(w.path)).digest('hex'), JSON.parse(readFileSync(join(g.dir, 'config.json'), 'utf8')).weights.sha256);
  good.store.close();

  const c = await simulate('checkpoint');
  assert.equal(getRunRow(c.store, c.id).status, 'completed', 'a refused checkpoint is not recorded; the run goes on');
  assert.equal(listArtifacts(c.store, c.id, 'checkpoint').length, 0);
  const said = c.events.flatMap((e) => (e.type === 'train' && e.event.type === 'log' ? [e.event.message] : []));
  assert.ok(said.some((m) => /checkpoint from worker sim: the bytes in the queue have sha256 [0-9a-f]{12}…, not the [0-9a-f]{12}… they were sent with; refused \(damaged or altered in transit\); it is not recorded/.test(m)), said.join(' | '));
  c.store.close();

  const bad = await simulate('weights');
  const b = getRunRow(bad.store, bad.id);
  assert.equal(b.status, 'failed');
  assert.equal(b.error_code, 'CHECKSUM_MISMATCH');
  assert.match(b.error!, /weights from worker sim: the bytes in the queue have sha256 [0-9a-f]{12}…, not the [0-9a-f]{12}… they were sent with; refused/);
  assert.ok(!existsSync(join(b.dir, 'model.safetensors')), 'no weights were written');
  assert.ok(!existsSync(join(b.dir, 'config.json')), 'nor a config naming them');
  bad.store.close();
  local?.store.close();
});

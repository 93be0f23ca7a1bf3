// A recorded run in this process on real Fashion-MNIST (ResNet-8, wasm): everything lands in
// the database; pause → resume ends with bit-identical sizes and metrics to an uninterrupted
// run; cancel is 'cancelled'; checkpoints are pruned to the last two per stage and the best; a
// damaged newest checkpoint is skipped, saying so, and the run resumes from the one before.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { EffconvConfig } from '../../../main/contract/config';
import type { TrainEvent } from '../../../main/contract/events';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../../../main/contract/run';
import { executeStoredRun, type StoredRunHooks } from '../../../main/api/run/execute-stored-run';
import { claimForThisProcess, createRun, deleteExperiment, openRunStore, queueResume } from '../../../main/api/records/run-records';
import { importDataset } from '../../../main/data/library/import-dataset';
import { FASHION, fixture, withFashionMnist } from '../../helpers/data';
import { mountable, smallDisk } from '../../helpers/mounts';
import { getRunRecord, listArtifacts, sizeHistory, type Store } from '../../../main/store';

const tmp = mkdtempSync(join(tmpdir(), 'effconv-stored-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
await withFashionMnist(join(tmp, 'home')); // runs name --dataset fashion-mnist: the repository's fixture
const runsRoot = join(tmp, 'runs');

// 4 stage-1 steps an epoch × 2 epochs, 3 stage-2 steps an epoch × 2 epochs, evaluated on 64 test images.
const OPTIONS: RunOptions = {
  ...DEFAULT_RUN_OPTIONS, backbone: 'resnet8', dataset: 'fashion-mnist', budget: '60k', searchEpochs: 2, trainEpochs: 2,
  batchSize: 16, trainBatchSize: 16, seed: 5, backend: 'wasm', limitTrain: 64, limitTest: 64,
};
const trainSteps = 4; // 64 / 16

async function runToEnd(store: Store, id: number, hooks: StoredRunHooks = {}) {
  claimForThisProcess(store, id);
  return executeStoredRun(store, id, hooks);
}

function stepRows(store: Store, id: number) {
  return store.db.prepare('SELECT stage, step, epoch, loss, ce, lparam, params, lr, acc FROM step_metrics WHERE run_id = ? ORDER BY stage, step').all(id);
}

let reference: { soft: number[]; sizes: number[]; steps: unknown[]; epochs: unknown[]; history: number[][] } | null = null;

test('a run records its steps, epochs, sizes, config and checkpoints, and ends completed', async () => {
  const store = openRunStore(join(tmp, 'a.db'));
  const run = createRun(store, { options: OPTIONS, runsRoot });
  assert.equal(run.status, 'queued');
  assert.equal(run.experimentName, 'resnet8 · fashion-mnist · 60.0k');
  const events: TrainEvent[] = [];
  const out = await runToEnd(store, run.id, { onEvent: (e) => events.push(e) });
  assert.equal(out.status, 'completed', JSON.stringify(out.error));
  const d = getRunRecord(store, run.id);
  assert.equal(d.status, 'completed');
  assert.equal(d.backend, 'wasm');
  assert.match(d.device!, /WebAssembly/);
  assert.equal(d.datasetRecord!.name, 'fashion-mnist');
  assert.match(d.datasetRecord!.sha256!, /^[0-9a-f]{64}$/);
  assert.equal(d.datasetRecord!.trainCount, FASHION.train, 'the data set\'s own size; the run\'s limit is in its options');
  assert.equal(d.options.limitTrain, 64);
  assert.equal(d.layers!.length, 6);
  assert.deepEqual(d.sizes, out.result!.summary.sizes);
  assert.deepEqual(d.soft, out.result!.summary.soft, 'soft sizes stored exactly');
  assert.equal(d.params, out.result!.summary.params);
  assert.equal(d.top1, out.result!.summary.top1);
  assert.ok(d.searchSecondsPerEpoch! > 0 && d.trainSecondsPerEpoch! > 0);
  assert.equal(d.progress!.stage, 2);
  const rows = stepRows(store, run.id);
  assert.equal(rows.length, 2 * trainSteps + 2 * trainSteps);
  assert.deepEqual(d.epochs.map((e) => `${e.stage}:${e.epoch}`), ['1:1', '1:2', '2:1', '2:2']);
  assert.equal(d.epochs[3].top1, d.top1);
  const history = sizeHistory(store, run.id);
  assert.equal(history.count, 2 * trainSteps);
  const stepEvents = events.filter((e) => e.type === 'step' && e.stage === 1);
  assert.deepEqual(history.soft, stepEvents.map((e) => (e as { soft: number[] }).soft), 'the history holds every step\'s soft sizes, exactly');
  const cfg = JSON.parse(readFileSync(join(d.dir, 'config.json'), 'utf8')) as EffconvConfig;
  assert.deepEqual(cfg.layers.map((l) => l.kernel), d.sizes);
  const kinds = d.artifacts.map((a) => a.kind).sort();
  assert.deepEqual(kinds.filter((k) => k !== 'checkpoint'), ['config', 'metrics', 'weights']);
  // Stage 2's trained weights are in the run folder, recorded with the sha256 the config names.
  const weights = d.artifacts.find((a) => a.kind === 'weights')!;
  assert.equal(weights.path, join(d.dir, 'model.safetensors'));
  assert.equal(weights.sha256, cfg.weights!.sha256);
  assert.equal(createHash('sha256').update(readFileSync(weights.path)).digest('hex'), cfg.weights!.sha256);
  // Four epoch-end checkpoints were written; kept: the last two of each stage (and stage 2's best top-1, one of them).
  const ckpts = listArtifacts(store, run.id, 'checkpoint');
  assert.equal(ckpts.length, 4, `${ckpts.length} checkpoints kept`);
  assert.deepEqual(readdirSync(join(d.dir, 'checkpoints')).sort(), ckpts.map((a) => a.path.split('/').pop()).sort(), 'pruned files are gone from disk');
  reference = { soft: d.soft!, sizes: d.sizes!, steps: rows, epochs: d.epochs.map(({ time: _t, seconds: _s, ...e }) => e), history: history.soft };
  store.close();
});

test('pause after a few steps, resume: the same sizes, metrics and size history as the uninterrupted run', async () => {
  assert.ok(reference, 'needs the first test');
  const store = openRunStore(join(tmp, 'b.db'));
  const run = createRun(store, { options: OPTIONS, runsRoot });
  let steps = 0;
  const paused = await runToEnd(store, run.id, { onEvent: (e) => e.type === 'step' && (steps += 1), pauseRequested: () => steps >= 6 });
  assert.equal(paused.status, 'paused');
  assert.equal(getRunRecord(store, run.id).status, 'paused');
  // Paused after step 6 of stage 1 (epoch 2, batch 2): its checkpoint says so.
  const ckpt = listArtifacts(store, run.id, 'checkpoint')[0];
  assert.deepEqual({ stage: ckpt.meta.stage, epoch: ckpt.meta.epoch, index: ckpt.meta.index, reason: ckpt.meta.reason }, { stage: 1, epoch: 1, index: 2, reason: 'pause' });
  assert.equal(stepRows(store, run.id).length, 6);
  queueResume(store, run.id);
  const done = await runToEnd(store, run.id);
  assert.equal(done.status, 'completed', JSON.stringify(done.error));
  assert.deepEqual(done.resumedFrom, { stage: 1, step: 6 });
  const d = getRunRecord(store, run.id);
  assert.deepEqual(d.soft, reference.soft, 'bit-identical soft sizes');
  assert.deepEqual(d.sizes, reference.sizes);
  assert.deepEqual(stepRows(store, run.id), reference.steps, 'every step once, with the same values');
  assert.deepEqual(d.epochs.map(({ time: _t, seconds: _s, ...e }) => e), reference.epochs);
  assert.deepEqual(sizeHistory(store, run.id).soft, reference.history);
  const log = readFileSync(join(d.dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainEvent);
  const logged = log.filter((e) => e.type === 'step').map((e) => `${e.stage}:${(e as { step: number }).step}`);
  assert.equal(new Set(logged).size, logged.length, 'metrics.jsonl has no step twice');
  assert.equal(logged.length, 16);
  store.close();
});

test('a damaged newest checkpoint is skipped, saying so, and the run resumes from the one before to the same result', async () => {
  assert.ok(reference, 'needs the first test');
  const store = openRunStore(join(tmp, 'd.db'));
  const run = createRun(store, { options: OPTIONS, runsRoot });
  let steps = 0;
  const paused = await runToEnd(store, run.id, { onEvent: (e) => e.type === 'step' && (steps += 1), pauseRequested: () => steps >= 6 });
  assert.equal(paused.status, 'paused');
  const [newest, previous] = listArtifacts(store, run.id, 'checkpoint'); // newest first
  assert.deepEqual([newest.meta.reason, previous.meta.reason, previous.meta.epoch, previous.meta.index], ['pause', 'epoch', 1, 0]);
  truncateSync(newest.path, 1000); // cut short by a full disk or a bad copy
  queueResume(store, run.id);
  const events: TrainEvent[] = [];
  const done = await runToEnd(store, run.id, { onEvent: (e) => events.push(e) });
  assert.equal(done.status, 'completed', JSON.stringify(done.error));
  assert.deepEqual(done.resumedFrom, { stage: 1, step: 4 }, 'from the end of epoch 1, the checkpoint before the damaged one');
  const warning = events.find((e) => e.type === 'log' && e.level === 'warn');
  assert.ok(warning && warning.type === 'log' && warning.message.includes(newest.path) && /sha256 differs/.test(warning.message), 'the skipped file is named');
  const d = getRunRecord(store, run.id);
  assert.deepEqual(d.soft, reference.soft, 'bit-identical soft sizes');
  assert.deepEqual(stepRows(store, run.id), reference.steps, 'steps 5 and 6 recorded once, with the same values');
  assert.deepEqual(d.epochs.map(({ time: _t, seconds: _s, ...e }) => e), reference.epochs);
  store.close();
});

test('a cancelled run is cancelled, not failed, and deleting its experiment removes rows and folder', async () => {
  const store = openRunStore(join(tmp, 'c.db'));
  const run = createRun(store, { options: OPTIONS, experiment: 'to delete', runsRoot });
  const abort = new AbortController();
  const out = await runToEnd(store, run.id, { signal: abort.signal, onEvent: (e) => e.type === 'step' && e.step === 2 && abort.abort() });
  assert.equal(out.status, 'cancelled');
  const d = getRunRecord(store, run.id);
  assert.equal(d.status, 'cancelled');
  assert.equal(d.error, null);
  assert.equal(stepRows(store, run.id).length, 2);
  assert.ok(existsSync(d.dir));
  const r = deleteExperiment(store, run.experimentId);
  assert.deepEqual(r, { runs: 1, removedDirs: [d.dir] });
  assert.ok(!existsSync(d.dir));
  assert.equal(store.db.prepare('SELECT count(*) FROM step_metrics WHERE run_id = ?').pluck().get(run.id), 0);
  store.close();
});

test('a run on a library data set records the library\'s metadata (format, source) in its dataset row', async () => {
  const home = mkdtempSync(join(tmpdir(), 'effconv-stored-lib-'));
  const saved = process.env.EFFCONV_HOME;
  process.env.EFFCONV_HOME = home;
  try {
    await importDataset(fixture('fashion-mnist'), { name: 'fmnist-lib' });
    const store = openRunStore(join(home, 'effconv.db'));
    const run = createRun(store, { options: { ...OPTIONS, dataset: 'fmnist-lib', stages: 'search', searchEpochs: 1, limitTrain: 32 }, runsRoot: join(home, 'runs') });
    const out = await runToEnd(store, run.id);
    assert.equal(out.status, 'completed', JSON.stringify(out.error));
    const d = getRunRecord(store, run.id);
    assert.equal(d.dataset, 'fmnist-lib');
    assert.deepEqual({ format: d.datasetRecord!.format, source: d.datasetRecord!.source, train: d.datasetRecord!.trainCount }, { format: 'idx', source: fixture('fashion-mnist'), train: FASHION.train });
    assert.equal((d.datasetRecord!.meta!.classNames as string[]).length, 10);
    assert.equal(d.dir, join(home, 'runs', String(run.id)));
    store.close();
  } finally {
    process.env.EFFCONV_HOME = saved;
    rmSync(home, { recursive: true, force: true });
  }
});

// The run folder's disk fills mid-run (a real tmpfs, filled by another writer after step 6):
// the run ends interrupted, not failed, with DISK_FULL naming the folder and how to resume; once
// there is room, resume gives the uninterrupted run's sizes and metrics, every step once.
const canMount = mountable();
test('the disk fills during a run: interrupted with DISK_FULL and how to resume; after freeing space, resume loses nothing', { skip: canMount === true ? false : canMount }, async () => {
  assert.ok(reference, 'needs the first test');
  const store = openRunStore(join(tmp, 'full.db'));
  const disk = smallDisk(tmp, 'small-disk', 64 << 20);
  const run = createRun(store, { options: OPTIONS, runsRoot: disk });
  const filler = join(disk, 'filler');
  let steps = 0;
  const fill = () => {
    const fd = openSync(filler, 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(64 * 1024));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
    } finally {
      closeSync(fd);
    }
  };
  const stopped = await runToEnd(store, run.id, { onEvent: (e) => e.type === 'step' && (steps += 1) === 6 && fill() });
  assert.equal(stopped.status, 'interrupted', JSON.stringify(stopped.error));
  assert.equal(stopped.error!.code, 'DISK_FULL');
  assert.match(stopped.error!.message, new RegExp(`^run ${run.id} stopped: cannot write the run's files in ${disk}/${run.id}: no space left on the device \\(ENOSPC\\); in ${disk}/${run.id}, 0 B free.*resume it \\(effconv resume ${run.id}, or Resume in the workbench\\); it continues from its last checkpoint$`));
  const d0 = getRunRecord(store, run.id);
  assert.equal(d0.status, 'interrupted');
  assert.equal(d0.error?.code, 'DISK_FULL');
  rmSync(filler);
  queueResume(store, run.id);
  const out = await runToEnd(store, run.id);
  assert.equal(out.status, 'completed', JSON.stringify(out.error));
  const d = getRunRecord(store, run.id);
  assert.deepEqual(d.soft, reference.soft, 'bit-identical soft sizes');
  assert.deepEqual(d.sizes, reference.sizes);
  assert.deepEqual(stepRows(store, run.id), reference.steps, 'every step once, with the same values');
  assert.deepEqual(sizeHistory(store, run.id).soft, reference.history);
  for (const line of readFileSync(join(d.dir, 'metrics.jsonl'), 'utf8').trimEnd().split('\n')) JSON.parse(line); // no half-written line
  store.close();
});

// The batched metrics writer and the chart queries: what is committed when, bucketing with
// hand-computed min/mean/max, size-history strides, truncation after a checkpoint, CSV.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { StepEvent, TrainEvent } from '../../main/contract/events';
import { DEFAULT_RUN_OPTIONS } from '../../main/contract/run';
import {
  epochMetrics, experimentNamed, insertRun, metricsCsv, metricSeries, MetricsRecorder, openStore, sizeHistory, truncateMetrics, type Store,
} from '../../main/store';

const tmp = mkdtempSync(join(tmpdir(), 'effconv-metrics-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function freshRun(name: string): { store: Store; runId: number } {
  const store = openStore(join(tmp, `${name}.db`));
  const options = { ...DEFAULT_RUN_OPTIONS, dataset: 'fashion-mnist' };
  const exp = experimentNamed(store, name, options);
  const runId = insertRun(store, { experimentId: exp, options, backbone: 'resnet8', budget: 60_000, runsRoot: join(tmp, 'runs') });
  return { store, runId };
}

function step1(step: number, loss: number, soft: number[], perEpoch = 4): StepEvent {
  return {
    type: 'step', stage: 1, epoch: Math.ceil(step / perEpoch), step, stepInEpoch: ((step - 1) % perEpoch) + 1, stepsPerEpoch: perEpoch, totalSteps: 40,
    loss, ce: loss - 0.5, lparam: 0.25, params: 60_000 + step, soft, hard: soft.map((v) => Math.round(v)), lr: 1e-4, ms: 100 + step, etaSeconds: 40 - step,
  };
}

const count = (store: Store, table: string, runId: number) => store.db.prepare(`SELECT count(*) FROM ${table} WHERE run_id = ?`).pluck().get(runId) as number;

test('steps wait in memory until the flush interval or an epoch boundary, then commit together with the run progress', () => {
  const { store, runId } = freshRun('batching');
  let clock = 1_000_000;
  const rec = new MetricsRecorder(store, runId, { flushEveryMs: 1000, now: () => clock });
  rec.record({ type: 'stage', stage: 1, status: 'start', epochs: 10, totalSteps: 40, backend: 'wasm', params: 60_000, sizes: [3, 3] });
  for (let s = 1; s <= 3; s++) {
    clock += 100;
    rec.record(step1(s, 3 - s / 10, [3.25, 2.75]));
  }
  assert.equal(count(store, 'step_metrics', runId), 0, 'three steps inside one second are not committed yet');
  assert.equal(rec.pending, 6, '3 step rows + 3 size rows buffered');
  clock += 1000;
  rec.record(step1(4, 2.6, [3.5, 2.5]));
  assert.equal(count(store, 'step_metrics', runId), 4, 'the interval elapsed: all four committed in one transaction');
  assert.equal(count(store, 'size_history', runId), 4);
  const progress = store.db.prepare('SELECT stage, epoch, step, total_steps, eta_seconds, sizes FROM runs WHERE id = ?').get(runId);
  assert.deepEqual(progress, { stage: 1, epoch: 1, step: 4, total_steps: 40, eta_seconds: 36, sizes: '[4,3]' }, 'hard sizes of the latest step (Math.round in this fixture)');
  clock += 10;
  rec.record(step1(5, 2.5, [3.5, 2.5]));
  rec.record({ type: 'epoch', stage: 1, epoch: 2, epochs: 10, seconds: 1.5, trainLoss: 2.5, params: 61_000, soft: [3.5, 2.5], hard: [4, 2] });
  assert.equal(count(store, 'step_metrics', runId), 5, 'an epoch event flushes at once');
  assert.equal(count(store, 'epoch_metrics', runId), 1);
  store.close();
});

test('a diverged (NaN) loss is stored as NULL and the row is kept', () => {
  const { store, runId } = freshRun('nan');
  const rec = new MetricsRecorder(store, runId);
  rec.record({ ...step1(1, Number.NaN, [3, 3]), ce: Number.POSITIVE_INFINITY });
  rec.flush();
  assert.deepEqual(store.db.prepare('SELECT loss, ce, lparam FROM step_metrics WHERE run_id = ?').get(runId), { loss: null, ce: null, lparam: 0.25 });
  store.close();
});

test('a series longer than maxPoints is bucketed by step with min, mean and max of each bucket', () => {
  const { store, runId } = freshRun('series');
  const rec = new MetricsRecorder(store, runId);
  // losses 1..10 at steps 1..10; maxPoints 4 → bucket ceil(10/4) = 3 steps: [1,2,3] [4,5,6] [7,8,9] [10]
  for (let s = 1; s <= 10; s++) rec.record(step1(s, s, [3, 3]));
  rec.flush();
  const all = metricSeries(store, runId, 1, 1000);
  assert.equal(all.bucket, 1);
  assert.deepEqual(all.metrics.loss.mean, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const s = metricSeries(store, runId, 1, 4);
  assert.equal(s.count, 10);
  assert.equal(s.bucket, 3);
  assert.deepEqual(s.step, [3, 6, 9, 10]);
  assert.deepEqual(s.epoch, [1, 2, 3, 3]);
  assert.deepEqual(s.metrics.loss.mean, [2, 5, 8, 10]);
  assert.deepEqual(s.metrics.loss.min, [1, 4, 7, 10]);
  assert.deepEqual(s.metrics.loss.max, [3, 6, 9, 10]);
  assert.deepEqual(s.metrics.ms.mean, [102, 105, 108, 110]);
  assert.deepEqual(s.metrics.acc.mean, [null, null, null, null], 'stage 1 has no batch accuracy');
  assert.equal(metricSeries(store, runId, 2).count, 0);
  assert.throws(() => metricSeries(store, runId, 1, 1), /maxPoints must be an integer >= 2/);
  store.close();
});

test('the size history keeps float32 soft sizes exactly and strides to at most maxPoints rows, always ending at the last step', () => {
  const { store, runId } = freshRun('sizes');
  const rec = new MetricsRecorder(store, runId);
  const f = (x: number) => Math.fround(x);
  const softs: number[][] = [];
  for (let s = 1; s <= 11; s++) {
    const soft = [f(2.9 + s / 300), f(3.1 - s / 700)];
    softs.push(soft);
    rec.record(step1(s, 1, soft));
  }
  rec.flush();
  const full = sizeHistory(store, runId, 100);
  assert.deepEqual(full.soft, softs, 'soft sizes read back bit for bit');
  const h = sizeHistory(store, runId, 4); // stride ceil(10/3) = 4: steps 1, 5, 9 and the last, 11
  assert.equal(h.stride, 4);
  assert.deepEqual(h.step, [1, 5, 9, 11]);
  assert.deepEqual(h.soft[3], softs[10]);
  assert.deepEqual(h.hard[0], [3, 3]);
  store.close();
});

test('truncating after a checkpoint removes exactly the later rows of that stage and every row of later stages', () => {
  const { store, runId } = freshRun('truncate');
  const rec = new MetricsRecorder(store, runId);
  const events: TrainEvent[] = [];
  for (let s = 1; s <= 8; s++) {
    events.push(step1(s, 1, [3, 3]));
    if (s % 4 === 0) events.push({ type: 'epoch', stage: 1, epoch: s / 4, epochs: 2, seconds: 1, trainLoss: 1 });
  }
  for (let s = 1; s <= 3; s++) events.push({ type: 'step', stage: 2, epoch: 1, step: s, stepInEpoch: s, stepsPerEpoch: 3, totalSteps: 3, loss: 1, acc: 0.5, lr: 0.1, ms: 1, etaSeconds: 0 });
  events.push({ type: 'epoch', stage: 2, epoch: 1, epochs: 1, seconds: 1, trainLoss: 1, top1: 0.5 });
  for (const e of events) rec.record(e);
  rec.flush();
  truncateMetrics(store, runId, { stage: 2, steps: 2, epochs: 0 });
  assert.equal(count(store, 'step_metrics', runId), 10, '8 stage-1 steps + 2 stage-2 steps');
  assert.equal(count(store, 'size_history', runId), 8);
  assert.deepEqual(epochMetrics(store, runId).map((e) => `${e.stage}:${e.epoch}`), ['1:1', '1:2']);
  truncateMetrics(store, runId, { stage: 1, steps: 5, epochs: 1 });
  assert.equal(count(store, 'step_metrics', runId), 5);
  assert.equal(count(store, 'size_history', runId), 5);
  assert.deepEqual(epochMetrics(store, runId).map((e) => `${e.stage}:${e.epoch}`), ['1:1']);
  store.close();
});

test('metrics CSV has a header, one line per step in run order, and quotes names with commas', () => {
  const { store, runId } = freshRun('csv, "quoted"');
  const rec = new MetricsRecorder(store, runId);
  for (let s = 1; s <= 3; s++) rec.record(step1(s, s / 2, [3, 3]));
  rec.flush();
  const lines = metricsCsv(store).trim().split('\n');
  assert.equal(lines[0], 'run_id,experiment,status,stage,epoch,step,loss,ce,lparam,params,lr,acc,ms,time');
  assert.equal(lines.length, 4);
  assert.match(lines[1], new RegExp(`^${runId},"csv, ""quoted""",queued,1,1,1,0.5,0,0.25,60001,0.0001,,101,\\d{4}-`));
  assert.equal(metricsCsv(store, { runIds: [runId + 1] }).trim().split('\n').length, 1, 'header only for a run with no rows');
  store.close();
});

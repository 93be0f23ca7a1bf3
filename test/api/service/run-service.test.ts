// The contract's run methods over the store and real worker processes (Fashion-MNIST,
// ResNet-8, wasm): start → pushed events → details, charts, kernels, Pareto, retrain as a
// child run, CSV, delete.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { PushEvent } from '../../../main/contract/api';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../../../main/contract/run';
import { decodeCheckpoint } from '../../../main/api/run/checkpoints';
import { nodeWorkerLauncher } from '../../../main/api/processes/launcher';
import { RunQueue } from '../../../main/api/processes/run-queue';
import { inProcessTasks } from '../../../main/api/processes/tasks';
import { createRunService } from '../../../main/api/service/run-service';
import { openRunStore } from '../../../main/api/records/run-records';
import { listArtifacts } from '../../../main/store';
import { REPO_ROOT, withFashionMnist } from '../../helpers/data';

const tmp = mkdtempSync(join(tmpdir(), 'effconv-service-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
await withFashionMnist(join(tmp, 'home')); // run folders go under EFFCONV_HOME/runs; --dataset fashion-mnist is the repository's fixture

const OPTIONS: RunOptions = {
  ...DEFAULT_RUN_OPTIONS, backbone: 'resnet8', dataset: 'fashion-mnist', budget: '60k', searchEpochs: 1, trainEpochs: 1,
  batchSize: 16, trainBatchSize: 16, seed: 2, backend: 'wasm', limitTrain: 48, limitTest: 32,
};

test('start, watch, inspect, retrain, export and delete runs through the service', async () => {
  const store = openRunStore(join(tmp, 'home', 'effconv.db'));
  const runner = new RunQueue({ store, launcher: nodeWorkerLauncher(join(REPO_ROOT, 'out/main/worker.js')) });
  const pushed: PushEvent[] = [];
  const api = createRunService({ store, executor: runner, tasks: inProcessTasks(), publish: (e) => pushed.push(e), runsRoot: join(tmp, 'home', 'runs') });
  runner.start();
  const { runId } = await api.startRun({ experiment: 'service', notes: 'a first look', options: OPTIONS });
  const search = await api.startRun({ experiment: 'service', options: { ...OPTIONS, stages: 'search', seed: 3 } });
  await runner.idle();

  const status = pushed.filter((e) => e.kind === 'run-status' && e.runId === runId).map((e) => (e as { status: string }).status);
  assert.deepEqual(status, ['queued', 'running', 'completed']);
  const steps = pushed.filter((e) => e.kind === 'run' && e.runId === runId && e.event.type === 'step');
  assert.equal(steps.length, 3 + 3);

  const run = await api.getRun(runId);
  assert.equal(run.status, 'completed');
  assert.equal(run.experimentName, 'service');
  assert.deepEqual(run.config!.layers.map((l) => l.kernel), run.sizes);
  assert.equal(run.layers!.length, 6);
  assert.ok(run.artifacts.some((a) => a.kind === 'config' && a.bytes! > 0 && /^[0-9a-f]{64}$/.test(a.sha256!)));
  assert.deepEqual((await api.listExperiments()).map((e) => [e.name, e.notes, e.runCount]), [['service', 'a first look', 2]]);
  const listed = await api.listRuns({ status: ['completed'], sort: 'created', order: 'asc' });
  assert.deepEqual(listed.items.map((r) => r.id), [runId, search.runId]);

  const m = await api.runMetrics(runId, 1000);
  assert.deepEqual(m.stage1.step, [1, 2, 3]);
  for (const k of ['loss', 'ce', 'lparam', 'params', 'lr', 'ms']) assert.equal(m.stage1.columns[k].length, 3, `stage 1 ${k}`);
  assert.equal(m.stage1.columns.acc, undefined, 'no batch accuracy in stage 1');
  for (const k of ['loss', 'acc', 'lr']) assert.equal(m.stage2.columns[k].length, 3, `stage 2 ${k}`);
  assert.deepEqual(m.epochs.map((e) => e.stage), [1, 2]);
  assert.equal(m.epochs[1].top1, run.top1);
  const banded = await api.runMetrics(runId, 2);
  assert.deepEqual(banded.stage1.step, [2, 3]);
  assert.ok(banded.stage1.columns.loss_min[0] <= banded.stage1.columns.loss[0] && banded.stage1.columns.loss[0] <= banded.stage1.columns.loss_max[0]);
  const sizes = await api.runSizes(runId, 100);
  assert.deepEqual(sizes.step, [1, 2, 3]);
  assert.equal(sizes.soft[0].length, 6);

  // Trained kernels: exactly mean |w| of the last stage-2 checkpoint's weights.
  const k = await api.runKernels(runId);
  assert.equal(k.source, 'trained');
  const ckpt = listArtifacts(store, runId, 'checkpoint').find((a) => a.meta.stage === 2)!;
  const state = decodeCheckpoint(readFileSync(ckpt.path), ckpt.path);
  const w = state.params[`${run.layers![0]}.weight`];
  const s0 = run.sizes![0];
  const per = w.data.length / (s0 * s0);
  const byHand = Array.from({ length: s0 * s0 }, (_, p) => w.data.slice(p * per, (p + 1) * per).reduce((a, v) => a + Math.abs(v), 0) / per);
  assert.equal(k.layers[0].values.length, s0 * s0);
  k.layers[0].values.forEach((v, p) => assert.ok(Math.abs(v - byHand[p]) < 2e-6, `position ${p}: ${v} vs ${byHand[p]}`));
  const ks = await api.runKernels(search.runId);
  assert.equal(ks.source, 'search');
  assert.equal(ks.layers.length, 6);
  for (const l of ks.layers) {
    assert.equal(l.values.length, l.size * l.size);
    assert.ok(l.values.every((v) => Number.isFinite(v) && v > 0));
  }

  const pareto = await api.pareto({ dataset: 'fashion-mnist' });
  assert.deepEqual(pareto.map((p) => [p.runId, p.onFront]), [[runId, true]], 'the search-only run has no accuracy');

  const retrain = await api.retrainRun(runId, { trainEpochs: 1, seed: 9 });
  await runner.idle();
  const child = await api.getRun(retrain.runId);
  assert.equal(child.status, 'completed', child.error?.message ?? '');
  assert.equal(child.parentRunId, runId);
  assert.equal(child.experimentId, run.experimentId);
  assert.deepEqual(child.sizes, run.sizes);
  assert.equal(child.seed, 9);

  const csv = (await api.metricsCsv([runId])).trim().split('\n');
  assert.equal(csv.length, 1 + 6);
  assert.ok(csv.slice(1).every((l) => l.startsWith(`${runId},service,completed,`)));

  await api.deleteRun(retrain.runId);
  await assert.rejects(api.getRun(retrain.runId), /does not exist/);
  assert.ok(!existsSync(child.artifacts[0].path));
  await api.deleteExperiment(run.experimentId);
  assert.deepEqual(await api.listExperiments(), []);
  assert.ok(!existsSync(join(tmp, 'home', 'runs', String(runId))), 'the run folder is gone');
  api.dispose();
  store.close();
});

// Run-time estimates through the Api (what the New experiment form and `effconv run` show): the
// steps of each stage as the run takes them, from a probe; other epoch counts answered from the
// same probe, scaled exactly; a new service (the next start) reads the machine's cache; a probe
// taken while a run trains says so and is not kept; a sweep's estimate is its points' sum over
// the points run at once, each probed at its share of the cores, in a task process.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { SweepRequest } from '../../../main/contract/api';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../../../main/contract/run';
import { homePaths } from '../../../main/common/paths';
import { ForegroundRuns } from '../../../main/api/processes/foreground-runs';
import { builtWorkerPath, nodeWorkerLauncher } from '../../../main/api/processes/launcher';
import { TASK_SCRIPT, type FromTask, type ToTask } from '../../../main/api/processes/task-protocol';
import { inProcessTasks, processTasks, type TaskRunner } from '../../../main/api/processes/tasks';
import { createService, type Service } from '../../../main/api/service/service';
import { ensureSampleDataset } from '../../../main/data/library';
import { claimRun, endRun, experimentNamed, insertRun, openStore } from '../../../main/store';
import { useTempLibrary } from '../../helpers/library';

const { home } = useTempLibrary('effconv-api-estimate-');
const services: Service[] = [];
before(async () => {
  await ensureSampleDataset();
});
after(async () => {
  for (const s of services) await s.close();
});

function service(tasks: TaskRunner = inProcessTasks()): Service {
  const s = createService({ mode: 'desktop', version: 'test', paths: homePaths(home), executor: (store) => new ForegroundRuns(store), tasks, offerSample: false });
  services.push(s);
  return s;
}

const OPTIONS: RunOptions = {
  ...DEFAULT_RUN_OPTIONS, dataset: 'mnist-sample', backbone: 'resnet8', budget: '50k', searchEpochs: 2, trainEpochs: 3,
  batchSize: 32, trainBatchSize: 64, limitTrain: 320, limitTest: 256, backend: 'wasm', seed: 3,
};
const timings = () => Object.keys((JSON.parse(readFileSync(join(home, 'step-timings.json'), 'utf8')) as { entries: object }).entries);

test('estimateRun: each stage\'s steps as the run takes them, from a probe; other epochs from the same probe, scaled exactly; the next start reads the cache', async () => {
  const s = service();
  const e = await s.api.estimateRun(OPTIONS);
  // 320 images: 10 steps of 32 an epoch in stage 1, 5 of 64 in stage 2.
  assert.deepEqual([e.search!.steps, e.train!.steps], [20, 15]);
  assert.deepEqual([e.backend, e.cached, e.probedWhileBusy], ['wasm', false, false]);
  assert.ok(e.probeSeconds > 0 && e.search!.stepMs > 0 && e.train!.stepMs > 0 && e.train!.evalSeconds > 0);
  assert.ok(Math.abs(e.search!.seconds - (20 * e.search!.stepMs) / 1000) < 1e-9);
  assert.ok(Math.abs(e.totalSeconds - e.search!.seconds - e.train!.seconds) < 1e-9);
  assert.equal(timings().length, 2, 'a stage-1 and a stage-2 timing kept for this machine');

  const t0 = performance.now();
  const longer = await s.api.estimateRun({ ...OPTIONS, searchEpochs: 5, trainEpochs: 7, seed: 9 });
  assert.ok(performance.now() - t0 < 200, 'no probe: the per-step times do not depend on the epochs or the seed');
  assert.deepEqual([longer.search!.steps, longer.train!.steps], [50, 35]);
  assert.deepEqual([longer.search!.stepMs, longer.train!.stepMs], [e.search!.stepMs, e.train!.stepMs]);
  assert.ok(Math.abs(longer.train!.evalSeconds - (e.train!.evalSeconds * 7) / 3) < 1e-9, 'one evaluation after every epoch');

  const next = await service().api.estimateRun(OPTIONS);
  assert.equal(next.cached, true, "the next start: this machine's earlier probe");
  assert.deepEqual([next.search!.stepMs, next.train!.stepMs, next.totalSeconds], [e.search!.stepMs, e.train!.stepMs, e.totalSeconds]);
});

test('a probe while a run trains on this machine says so, and its times are not kept', async () => {
  const s = service();
  // A run another process is training: recorded as running by this live process.
  const store = openStore(join(home, 'effconv.db'));
  const run = insertRun(store, { experimentId: experimentNamed(store, 'busy', OPTIONS), options: OPTIONS, backbone: 'resnet8', budget: 50_000, runsRoot: join(home, 'runs') });
  assert.ok(claimRun(store, run, process.pid, null));
  const kept = timings().length;
  try {
    const busy = await s.api.estimateRun({ ...OPTIONS, batchSize: 16 });
    assert.deepEqual([busy.cached, busy.probedWhileBusy], [false, true]);
    assert.equal(timings().length, kept, 'nothing kept');
  } finally {
    endRun(store, run, 'completed');
    store.close();
  }
  const quiet = await s.api.estimateRun({ ...OPTIONS, batchSize: 16 });
  assert.deepEqual([quiet.cached, quiet.probedWhileBusy], [false, false], 'probed again, now that the machine is free');
  assert.equal(timings().length, kept + 1, 'the new stage-1 timing is kept');
});

test('estimateSweep: the points\' estimates summed, over the points run at once, each probed in a task process at its share of the cores', async () => {
  const s = service(processTasks(nodeWorkerLauncher<ToTask, FromTask>(builtWorkerPath(TASK_SCRIPT))));
  const { backbone: _b, dataset: _d, budget: _g, seed: _s, stages: _t, config: _c, ...shared } = OPTIONS;
  const req: SweepRequest = { budgets: '40k,60k', backbones: ['resnet8'], datasets: ['mnist-sample'], seeds: [0, 1], baseline: true, parallel: 2, options: shared };
  const plan = await s.api.planSweep(req);
  const e = await s.api.estimateSweep(req);
  assert.deepEqual(e.points.map((p) => p.index), plan.points.map((p) => p.index));
  assert.equal(e.points.length, 6);
  const sum = e.points.reduce((n, p) => n + p.seconds, 0);
  assert.ok(Math.abs(e.sumSeconds - sum) < 1e-9 && Math.abs(e.totalSeconds - sum / 2) < 1e-9);
  assert.equal(e.threadsPerPoint, Math.max(1, Math.floor(availableParallelism() / 2)));
  assert.match(e.device, new RegExp(`^WebAssembly SIMD, ${e.threadsPerPoint} threads? of`));
  // A baseline trains the all-3×3 network with no search; a search point has both stages; two seeds, the same time.
  const baseline = plan.points.findIndex((p) => p.kind === 'baseline');
  assert.equal(e.points[baseline].search, null);
  assert.deepEqual([e.points[baseline].train!.steps, e.points[baseline + 1].search!.steps], [15, 20]);
  const bySeed = (seed: number) => e.points.filter((_, i) => plan.points[i].seed === seed).map((p) => p.seconds);
  assert.deepEqual(bySeed(0), bySeed(1));
  assert.ok(existsSync(join(home, 'step-timings.json')));
});

// Sweeps through the Api with real worker processes on real MNIST (ResNet-8, wasm, tiny
// runs): a 2-budget × 2-seed grid with the 3×3 baseline completes with sizes and a Pareto flag
// that matches a hand check; a point run alone gives the same result; an unreachable budget is
// refused before anything is recorded; a point that fails leaves the sweep partial with the
// others done; pause, resume and cancel act on the whole sweep.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { truncateSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { SweepRequest } from '../../../main/contract/api';
import { EffconvError } from '../../../main/contract/errors';
import { DEFAULT_RUN_OPTIONS } from '../../../main/contract/run';
import type { SweepDetail } from '../../../main/contract/sweep';
import { homePaths } from '../../../main/common/paths';
import { nodeWorkerLauncher } from '../../../main/api/processes/launcher';
import { RunQueue } from '../../../main/api/processes/run-queue';
import { inProcessTasks } from '../../../main/api/processes/tasks';
import { createService, type Service } from '../../../main/api/service/service';
import { importDataset } from '../../../main/data/library';
import { REPO_ROOT, sharedData } from '../../helpers/data';
import { useTempLibrary } from '../../helpers/library';

const { home } = useTempLibrary('effconv-sweeps-');
let service: Service;

before(async () => {
  await importDataset(sharedData('mnist'), { name: 'mnist' });
  service = createService({
    mode: 'web', version: 'test', paths: homePaths(home),
    executor: (store) => new RunQueue({ store, launcher: nodeWorkerLauncher(join(REPO_ROOT, 'out/main/worker.js')) }),
    tasks: inProcessTasks(),
  });
});
after(() => service.close());

const { backbone: _b, budget: _g, seed: _s, stages: _t, ...shared } = {
  ...DEFAULT_RUN_OPTIONS, searchEpochs: 1, trainEpochs: 1, batchSize: 32, trainBatchSize: 32, limitTrain: 64, limitTest: 64, backend: 'wasm' as const,
};
const request = (o: Partial<SweepRequest> = {}): SweepRequest => ({
  budgets: '30k,0.8x', backbones: ['resnet8'], datasets: ['mnist'], seeds: [1, 2], baseline: true, parallel: 2, options: shared, ...o,
});

async function settled(id: number): Promise<SweepDetail> {
  for (;;) {
    const s = await service.api.getSweep(id);
    if (s.status !== 'running' && s.status !== 'queued') return s;
    await new Promise((r) => setTimeout(r, 500));
  }
}

let sweep: SweepDetail;

test('a 2-budget × 2-seed sweep with the baseline completes: every point has sizes, and the Pareto flags match a hand check', async () => {
  const plan = await service.api.planSweep(request({ name: 'grid' }));
  assert.equal(plan.points.length, 6);
  const { sweepId } = await service.api.startSweep(request({ name: 'grid' }));
  sweep = await settled(sweepId);
  assert.equal(sweep.status, 'completed');
  assert.deepEqual(sweep.counts, { completed: 6 });
  assert.deepEqual(sweep.points.map((p) => [p.kind, p.seed, p.budget]), [
    ['baseline', 1, 75_002], ['search', 1, 30_000], ['search', 1, 60_002], ['baseline', 2, 75_002], ['search', 2, 30_000], ['search', 2, 60_002],
  ]);
  for (const p of sweep.points) {
    assert.equal(p.sizes!.length, 6);
    assert.ok(p.params! > 0 && p.top1! >= 0 && p.top1! <= 1);
    if (p.kind === 'baseline') assert.deepEqual(p.sizes, [3, 3, 3, 3, 3, 3]);
  }
  // By hand: a point is off the front when another has at most its parameters and more top-1,
  // or fewer parameters and the same top-1.
  for (const p of sweep.points) {
    const beaten = sweep.points.some((q) => q !== p && ((q.params! <= p.params! && q.top1! > p.top1!) || (q.params! < p.params! && q.top1! === p.top1!)));
    assert.equal(p.onFront, !beaten, `point ${p.index}`);
  }
  assert.ok(sweep.points.some((p) => p.onFront));
  // Two at once on this machine: the cores were divided between the workers, and each run says so.
  const threads = Math.max(1, Math.floor(availableParallelism() / 2));
  for (const p of sweep.points) assert.match((await service.api.getRun(p.runId)).device ?? '', new RegExp(`\\b${threads} thread`));
  // Every point is an ordinary run of the sweep's experiment.
  const runs = await service.api.listRuns({ experiment: 'grid' });
  assert.deepEqual(runs.items.map((r) => r.id).sort((a, b) => a - b), sweep.points.map((p) => p.runId));
});

test('the same point run alone gives the same sizes and top-1', async () => {
  const point = sweep.points.find((p) => p.kind === 'search' && p.seed === 2)!;
  const { runId } = await service.api.startRun({ experiment: 'alone', options: { ...shared, backbone: 'resnet8', dataset: 'mnist', budget: point.budget, seed: 2, stages: 'both' } });
  await service.executor.idle();
  const alone = await service.api.getRun(runId);
  assert.equal(alone.status, 'completed');
  assert.deepEqual([alone.sizes, alone.top1, alone.top5, alone.params], [point.sizes, point.top1, point.top5, point.params]);
});

test('an unreachable budget is refused before any run is recorded', async () => {
  const before = (await service.api.listRuns({})).total;
  await assert.rejects(service.api.startSweep(request({ name: 'too big', budgets: '40k,7x' })), (e: unknown) => e instanceof EffconvError && e.code === 'BUDGET_UNREACHABLE' && /point "resnet8 · mnist · 7x · seed 1"/.test(e.message));
  assert.equal((await service.api.listRuns({})).total, before);
  assert.ok(!(await service.api.listExperiments()).some((e) => e.name === 'too big'));
  assert.ok(!(await service.api.listSweeps()).some((s) => s.name === 'too big'));
});

test('a point that fails leaves the sweep partial, the other points done and the failure named', async () => {
  // A second library entry whose pixel file is damaged after import: its points fail when they open it.
  await importDataset(sharedData('mnist-png'), { name: 'digits' });
  truncateSync(join(home, 'datasets', 'digits', 'train.u8'), 100);
  const { sweepId } = await service.api.startSweep(request({ name: 'partial', budgets: '30k', datasets: ['mnist', 'digits'], seeds: [1], baseline: false, parallel: 1 }));
  const s = await settled(sweepId);
  assert.equal(s.status, 'partial');
  assert.deepEqual(s.points.map((p) => [p.dataset, p.status]), [['mnist', 'completed'], ['digits', 'failed']]);
  assert.equal(s.points[1].error!.code, 'DATASET_MALFORMED');
  assert.match(s.points[1].error!.message, /train\.u8/);
});

test('pause stops the whole sweep at checkpoints, resume finishes it, cancel ends one', async () => {
  const { sweepId } = await service.api.startSweep(request({ name: 'controlled', budgets: '30k,40k', seeds: [3], baseline: false, parallel: 1, options: { ...shared, searchEpochs: 3 } }));
  for (let s = await service.api.getSweep(sweepId); s.counts.running !== 1; s = await service.api.getSweep(sweepId)) await new Promise((r) => setTimeout(r, 100));
  await service.api.pauseSweep(sweepId);
  let s = await settled(sweepId);
  assert.equal(s.status, 'paused');
  assert.deepEqual(s.points.map((p) => p.status), ['paused', 'paused'], 'the running point paused at a checkpoint, the waiting one with it');
  await service.api.resumeSweep(sweepId);
  s = await settled(sweepId);
  assert.equal(s.status, 'completed');

  const other = (await service.api.startSweep(request({ name: 'cancelled', budgets: '30k', seeds: [5, 6], baseline: false, parallel: 1 }))).sweepId;
  await service.api.cancelSweep(other);
  s = await settled(other);
  assert.equal(s.status, 'cancelled');
  assert.ok(s.points.every((p) => p.status === 'cancelled' || p.status === 'completed'));
  await service.api.deleteSweep(other);
  await assert.rejects(service.api.getSweep(other), (e: unknown) => e instanceof EffconvError && e.code === 'SWEEP_NOT_FOUND');
});

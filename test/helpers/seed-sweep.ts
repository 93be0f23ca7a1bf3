// A 500-point sweep as a long sweep leaves it in the store: 5 ResNets × 2 datasets × 9
// budgets × 5 seeds, plus the all-3×3 baseline of each backbone × dataset × seed. Planned by
// the Api's own grid code, recorded by the store's insertSweep (through recordSweep), and
// finished through the store's run functions: real layer names, learned sizes that fit their
// budget, their exact parameter counts, and a top-1 that grows with the parameters.
import type { NetworkSpec } from '../../main/engine/models/backbone';
import { countParams } from '../../main/engine/models/params';
import { planSweep } from '../../main/api/records/sweep-grid';
import { recordSweep } from '../../main/api/records/sweeps';
import { claimRun, endRun, recordRunResults, recordRunStart, type Store } from '../../main/store';
import type { RunStatus } from '../../main/contract/store';
import type { SweepRunOptions } from '../../main/contract/sweep';

export const SCALE_SWEEP = {
  backbones: ['resnet8', 'resnet14', 'resnet20', 'resnet26', 'resnet32'],
  datasets: ['mnist', 'cifar10'],
  budgets: '0.3x..1.5x:9',
  seeds: [0, 1, 2, 3, 4],
};
const SHAPES: Record<string, { height: number; width: number; channels: number; classes: number }> = {
  mnist: { height: 28, width: 28, channels: 1, classes: 10 },
  cifar10: { height: 32, width: 32, channels: 3, classes: 10 },
};

/** Deterministic 0…1 from integers (a small hash, so the seeded numbers need no RNG state). */
function unit(...xs: number[]): number {
  let h = 2166136261;
  for (const x of xs) h = Math.imul(h ^ (x + 0x9e3779b9), 16777619) >>> 0;
  return (h % 100_000) / 100_000;
}

/** Grow sizes from all 1×1 by 2 at a time, layer order shuffled by the seed, while the network fits the budget. */
function sizesUnder(net: NetworkSpec, budget: number, seed: number): number[] {
  const sizes = net.layers.map(() => 1);
  const order = net.layers.map((_, i) => i).sort((a, b) => unit(seed, a) - unit(seed, b));
  for (let grown = true; grown; ) {
    grown = false;
    for (const i of order) {
      if (sizes[i] >= 7) continue;
      sizes[i] += 2;
      if (countParams(net, sizes) <= budget) grown = true;
      else sizes[i] -= 2;
    }
  }
  return sizes;
}

/** Every point's status by its index: mostly completed, a few failed and cancelled (none queued or running: the server's queue would start them). */
export const statusOfPoint = (i: number): RunStatus => (i % 50 === 7 ? 'failed' : i % 50 === 31 ? 'cancelled' : 'completed');

export function seedScaleSweep(store: Store, runsRoot: string, name = 'scale sweep'): { sweepId: number; runIds: number[] } {
  const options: SweepRunOptions = { searchEpochs: 10, trainEpochs: 200, batchSize: 64, trainBatchSize: 128, backend: 'wasm' };
  const { grid, plan, nets } = planSweep({ ...SCALE_SWEEP, baseline: true }, (d) => SHAPES[d]);
  const { sweepId, runIds } = recordSweep(store, { name, notes: '', grid, plan, nets, options, parallel: 2, runsRoot });
  const t0 = Date.parse('2025-09-01T00:00:00Z');
  store.write(() => {
    plan.points.forEach((p, i) => {
      const runId = runIds[i];
      const net = nets.get(`${p.backbone}\n${p.dataset}`)!;
      const status = statusOfPoint(i);
      const start = t0 + i * 60_000;
      claimRun(store, runId, process.pid, null, start);
      recordRunStart(store, runId, { backend: 'wasm', device: 'wasm SIMD, 1 thread', datasetId: null, datasetName: p.dataset, layers: net.layers.map((l) => l.name) }, start);
      if (status === 'completed') {
        const sizes = p.kind === 'baseline' ? net.layers.map(() => 3) : sizesUnder(net, p.budget, p.seed * 7919 + i);
        const params = countParams(net, sizes);
        const base = countParams(net, net.layers.map(() => 3));
        const top1 = Math.min(0.995, (p.dataset === 'mnist' ? 0.97 : 0.8) + 0.04 * Math.log2(params / base) * 0.5 + 0.01 * (unit(p.seed, i) - 0.5));
        recordRunResults(store, runId, { sizes, soft: null, params, top1, top5: Math.min(1, top1 + 0.02), searchSecondsPerEpoch: 30, trainSecondsPerEpoch: 12 }, start + 1000);
      }
      endRun(store, runId, status, status === 'failed' ? { code: 'DATASET_MALFORMED', message: 'seeded failure: the data set could not be read', detail: 'cifar10' } : null, start + 50_000);
    });
  });
  return { sweepId, runIds };
}

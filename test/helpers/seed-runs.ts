// 10,000 recorded runs across 40 experiments, 5 backbones, 4 datasets and every status, for
// the scale tests of the store's queries and the experiment list.
import { join } from 'node:path';
import { DEFAULT_RUN_OPTIONS } from '../../main/contract/run';
import { experimentNamed, type Store } from '../../main/store';

const STATUSES = ['completed', 'completed', 'completed', 'failed', 'cancelled', 'interrupted', 'paused', 'queued'] as const;
/** The same mix without 'queued', for a database a job runner will open (it would start them). */
export const SETTLED_STATUSES = ['completed', 'completed', 'completed', 'failed', 'cancelled', 'interrupted', 'paused', 'completed'] as const;
const DATASETS = ['cifar10', 'fashion-mnist', 'mnist', 'stl10'];
const BACKBONES = ['resnet20', 'resnet32', 'resnet44', 'resnet56', 'wrn-28-1'];

export function seed10k(store: Store, runsRoot: string, statuses: readonly string[] = STATUSES): void {
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  store.write(() => {
    const exps = Array.from({ length: 40 }, (_, i) => experimentNamed(store, `experiment ${i}`, { ...DEFAULT_RUN_OPTIONS, dataset: 'fashion-mnist' }));
    const ins = store.db.prepare(
      `INSERT INTO runs (experiment_id, status, options, stages, seed, backbone, dataset, budget, backend, dir, params, top1, sizes, created_at, updated_at)
       VALUES (?, ?, '{}', 'both', ?, ?, ?, ?, 'wasm', ?, ?, ?, '[3,3]', ?, ?)`,
    );
    for (let i = 0; i < 10_000; i++) {
      const status = statuses[i % statuses.length];
      const budget = 100_000 * (1 + (i % 9));
      const top1 = status === 'completed' ? 0.8 + ((i * 7919) % 1000) / 10_000 : null;
      ins.run(exps[i % 40], status, i % 5, BACKBONES[(i >> 2) % 5], DATASETS[(i >> 3) % 4], budget, join(runsRoot, String(i)), budget - (i % 1000), top1, t0 + i * 1000, t0 + i * 1000);
    }
  });
}


/**
 * One completed ResNet-20 run with 100,000 stage-1 steps (metrics and sizes at every step),
 * 50,000 stage-2 steps and their epochs: what a long search leaves in the store. Returns its id.
 */
export function seedLongRun(store: Store, runsRoot: string, steps = { search: 100_000, train: 50_000, perEpoch: 1000 }): number {
  const layers = Array.from({ length: 18 }, (_, i) => `stage${1 + Math.floor(i / 6)}.block${1 + Math.floor((i % 6) / 2)}.conv${1 + (i % 2)}`);
  const t0 = Date.parse('2025-06-01T00:00:00Z');
  return store.write(() => {
    const exp = experimentNamed(store, 'long search', { ...DEFAULT_RUN_OPTIONS, dataset: 'cifar10' });
    const options = { ...DEFAULT_RUN_OPTIONS, dataset: 'cifar10', searchEpochs: steps.search / steps.perEpoch, trainEpochs: steps.train / steps.perEpoch };
    const hardAt = (s: number) => layers.map((_, l) => 1 + ((l + Math.floor((s * 7) / steps.search)) % 7));
    const id = Number(
      store.db
        .prepare(
          `INSERT INTO runs (experiment_id, status, options, stages, seed, backbone, dataset, budget, backend, device, dir, layers, sizes, params, top1, top5, created_at, started_at, ended_at, updated_at)
           VALUES (?, 'completed', ?, 'both', 0, 'resnet20', 'cifar10', 400000, 'wasm', 'wasm SIMD, 2 threads', ?, ?, ?, 398512, 0.9123, 0.9971, ?, ?, ?, ?)`,
        )
        .run(exp, JSON.stringify(options), join(runsRoot, 'long'), JSON.stringify(layers), JSON.stringify(hardAt(steps.search)), t0, t0, t0 + 3.6e6, t0 + 3.6e6).lastInsertRowid,
    );
    const step = store.db.prepare('INSERT INTO step_metrics (run_id, stage, step, epoch, loss, ce, lparam, params, lr, acc, ms, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 400, ?)');
    const size = store.db.prepare('INSERT INTO size_history (run_id, step, soft, hard) VALUES (?, ?, ?, ?)');
    for (let s = 1; s <= steps.search; s++) {
      const loss = 2.3 * Math.exp(-s / 20_000) + 0.3 + 0.1 * Math.sin(s);
      step.run(id, 1, s, Math.ceil(s / steps.perEpoch), loss, loss - 0.05, 0.05, 400_000 + (s % 5000), 1e-4, null, t0 + s);
      const hard = hardAt(s);
      size.run(id, s, JSON.stringify(hard.map((h, l) => h - 0.3 + 0.01 * l)), JSON.stringify(hard));
    }
    for (let s = 1; s <= steps.train; s++) {
      const loss = 2 * Math.exp(-s / 10_000) + 0.05;
      step.run(id, 2, s, Math.ceil(s / steps.perEpoch), loss, null, null, null, 0.1 * Math.cos((Math.PI * s) / steps.train), 1 - loss / 2.05, t0 + s);
    }
    const epoch = store.db.prepare('INSERT INTO epoch_metrics (run_id, stage, epoch, seconds, train_loss, top1, top5, params, time) VALUES (?, ?, ?, 400, ?, ?, ?, 398512, ?)');
    for (let e = 1; e <= steps.search / steps.perEpoch; e++) epoch.run(id, 1, e, 2 - e / 100, null, null, t0 + e);
    for (let e = 1; e <= steps.train / steps.perEpoch; e++) epoch.run(id, 2, e, 1.5 - e / 50, 0.5 + (0.41 * e) / 50, 0.9 + (0.09 * e) / 50, t0 + e);
    return id;
  });
}

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


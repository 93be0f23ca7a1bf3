// Accuracy against size: the best completed run per (dataset, parameter budget), and which of
// them no other point beats with fewer or equal parameters.
import type { ParetoPoint, ParetoQuery, ParetoView } from '../contract/store';
import { paretoFlags } from '../common/pareto';
import type { Store } from './db';
import { parseJson } from './rows';

interface Row {
  id: number;
  experiment_name: string;
  backbone: string;
  dataset: string;
  budget: number | null;
  params: number;
  top1: number;
  top5: number | null;
  sizes: string | null;
}

export function paretoView(store: Store, q: ParetoQuery = {}): ParetoView {
  const where = ["r.status = 'completed'", 'r.top1 IS NOT NULL', 'r.params IS NOT NULL'];
  const args: unknown[] = [];
  if (q.dataset !== undefined) (where.push('r.dataset = ?'), args.push(q.dataset));
  if (q.backbone !== undefined) (where.push('r.backbone = ?'), args.push(q.backbone));
  if (q.experimentId !== undefined) (where.push('r.experiment_id = ?'), args.push(q.experimentId));
  // A stage-2-only run has no budget; its own parameter count stands in for one.
  const rows = store
    .prepare<unknown[], Row>(
      `SELECT * FROM (
         SELECT r.id, e.name AS experiment_name, r.backbone, r.dataset, r.budget, r.params, r.top1, r.top5, r.sizes,
           row_number() OVER (PARTITION BY r.dataset, coalesce(r.budget, r.params) ORDER BY r.top1 DESC, r.params, r.id) AS rank
         FROM runs r JOIN experiments e ON e.id = r.experiment_id
         WHERE ${where.join(' AND ')}
       ) WHERE rank = 1 ORDER BY dataset, params, top1 DESC`,
    )
    .all(...args);
  // The front is per dataset: accuracies on different data do not compete.
  const onFront = new Map<number, boolean>();
  for (const dataset of new Set(rows.map((r) => r.dataset))) {
    const of = rows.filter((r) => r.dataset === dataset);
    paretoFlags(of).forEach((f, i) => onFront.set(of[i].id, f));
  }
  const points: ParetoPoint[] = rows.map((r) => ({
    runId: r.id, experimentName: r.experiment_name, backbone: r.backbone, dataset: r.dataset, budget: r.budget,
    params: r.params, top1: r.top1, top5: r.top5, sizes: parseJson<number[]>(r.sizes, 'runs.sizes'), onFront: onFront.get(r.id)!,
  }));
  return { points };
}

// The sweep mode of "New experiment": the axes as typed, and what the Api's planSweep makes of
// them (points, each backbone × dataset's reachable budgets) as the user types, debounced.
// When the plan is refused (an unreachable point, a bad budget term), the error is kept in
// place and the ranges come from budgetRange, so the user sees what would be reachable.
import type { BudgetRange, SweepRequest } from '../../../main/contract/api';
import type { SweepPlan, SweepRunOptions } from '../../../main/contract/sweep';
import { api } from '../api';
import { parseSeeds } from './sweep-table';

export type PlanRange = SweepPlan['ranges'][number];

export class SweepDraft {
  budgets = $state('0.5x,1x,2x');
  /** Presets ticked. */
  backbones = $state<string[]>([]);
  /** Other backbones, comma-separated (resnet8, wrn-40-2). */
  custom = $state('');
  datasets = $state<string[]>([]);
  seeds = $state('0');
  baseline = $state(true);
  parallel = $state(1);

  plan = $state.raw<SweepPlan | null>(null);
  planError = $state<unknown>(null);
  /** Each backbone × dataset's reachable budgets: the plan's, or budgetRange's when the plan was refused. */
  ranges = $state.raw<PlanRange[]>([]);
  planning = $state(false);
  private seq = 0;

  get allBackbones(): string[] {
    const custom = this.custom.split(',').map((b) => b.trim()).filter(Boolean);
    return [...this.backbones, ...custom.filter((b) => !this.backbones.includes(b))];
  }

  get seedList(): ReturnType<typeof parseSeeds> {
    return parseSeeds(this.seeds);
  }

  /** Why the axes cannot be planned yet (before asking the Api), or null. */
  get incomplete(): string | null {
    if (!this.budgets.trim()) return 'Give at least one budget.';
    if (this.allBackbones.length === 0) return 'Pick at least one backbone.';
    if (this.datasets.length === 0) return 'Pick at least one dataset.';
    return this.seedList.error;
  }

  request(options: SweepRunOptions, name: string, notes: string): SweepRequest {
    return {
      ...(name.trim() ? { name: name.trim() } : {}),
      ...(notes ? { notes } : {}),
      budgets: this.budgets.trim(), backbones: this.allBackbones, datasets: [...this.datasets], seeds: this.seedList.seeds,
      baseline: this.baseline, parallel: this.parallel, options,
    };
  }

  /** Ask for the plan of `req` (the newest request wins). */
  async refresh(req: SweepRequest | null): Promise<void> {
    const seq = ++this.seq;
    if (req === null) {
      this.plan = null;
      this.planError = null;
      this.ranges = [];
      this.planning = false;
      return;
    }
    this.planning = true;
    try {
      const plan = await api.planSweep(req);
      if (seq !== this.seq) return;
      this.plan = plan;
      this.ranges = plan.ranges;
      this.planError = null;
    } catch (e) {
      if (seq !== this.seq) return;
      this.plan = null;
      this.planError = e;
      const ranges = await rangesOf(req.backbones, req.datasets);
      if (seq === this.seq) this.ranges = ranges;
    } finally {
      if (seq === this.seq) this.planning = false;
    }
  }
}

/** The reachable budgets of each backbone × dataset that has them (a backbone that does not parse is the plan error's to name). */
async function rangesOf(backbones: string[], datasets: string[]): Promise<PlanRange[]> {
  const pairs = datasets.flatMap((dataset) => backbones.map((backbone) => ({ backbone, dataset }))).slice(0, 64);
  const found = await Promise.all(pairs.map((p) => api.budgetRange(p).then((r: BudgetRange) => ({ ...p, min: r.min, baseline: r.baseline, max: r.max, layers: r.layers }), () => null)));
  return found.filter((r): r is PlanRange => r !== null);
}

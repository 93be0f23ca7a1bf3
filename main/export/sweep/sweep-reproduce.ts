// The effconv command line that records the same sweep again: its grid and shared options as
// flags, each budget written so that it resolves to the same parameter count.
import type { BudgetTerm, SweepDetail } from '../../contract/sweep';
import { parseBudget } from '../../engine/models/params';
import { shellQuote } from '../report/reproduce';

/** The term as written when that reads back to the same value, else the exact value. */
function budgetArg(b: BudgetTerm): string {
  if (b.kind === 'params') {
    try {
      if (parseBudget(b.label) === b.params) return b.label;
    } catch {
      // a label that is not a count (a range's value): the count itself
    }
    return String(b.params);
  }
  const written = Number(b.label.replace(/\s*[xX×]\s*$/, ''));
  return written === b.factor ? `${written}x` : `${b.factor}x`;
}

export function sweepCommand(s: SweepDetail, name: string): string {
  const g = s.grid;
  const o = s.options;
  const args: string[] = [];
  const add = (flag: string, v: string | number | undefined) => {
    if (v !== undefined) args.push(`--${flag}`, shellQuote(String(v)));
  };
  add('dataset', g.datasets.join(','));
  add('backbone', g.backbones.join(','));
  add('budget', g.budgets.map(budgetArg).join(','));
  add('seed', g.seeds.join(','));
  if (g.baseline) args.push('--baseline');
  add('search-epochs', o.searchEpochs);
  add('train-epochs', o.trainEpochs);
  add('batch-size', o.batchSize);
  add('train-batch-size', o.trainBatchSize);
  add('lr', o.lr);
  add('crop', o.crop);
  if (o.flip !== undefined) args.push(o.flip ? '--flip' : '--no-flip');
  add('limit-train', o.limitTrain);
  add('limit-test', o.limitTest);
  add('backend', o.backend);
  add('parallel', s.parallel);
  add('name', name);
  return `effconv sweep ${args.join(' ')}`;
}

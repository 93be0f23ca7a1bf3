// Parameter counting: p = p_fixed + Σ_l c_{l-1}·c_l·s_l² (METHOD.md), and budget parsing.
import { EffconvError } from '../../contract/errors';
import { MAX_KERNEL, MIN_KERNEL, type NetworkSpec } from './backbone';

export function fixedParamCount(net: NetworkSpec): number {
  let total = 0;
  for (const p of net.fixed) total += p.shape.reduce((a, b) => a * b, 1);
  return total;
}

export function searchedParamCount(net: NetworkSpec, sizes: readonly number[]): number {
  if (sizes.length !== net.layers.length) {
    throw new EffconvError('CONFIG_INVALID', `expected ${net.layers.length} kernel sizes, got ${sizes.length}`, 'layers');
  }
  let total = 0;
  net.layers.forEach((l, i) => {
    const s = sizes[i];
    total += l.in * l.out * s * s;
  });
  return total;
}

export function countParams(net: NetworkSpec, sizes: readonly number[]): number {
  return fixedParamCount(net) + searchedParamCount(net, sizes);
}

export function uniformSizes(net: NetworkSpec, size: number): number[] {
  return net.layers.map(() => size);
}

export interface BudgetRange {
  min: number; // all 1×1
  baseline: number; // all 3×3
  max: number; // all 7×7
}

export function budgetRange(net: NetworkSpec): BudgetRange {
  return {
    min: countParams(net, uniformSizes(net, MIN_KERNEL)),
    baseline: countParams(net, uniformSizes(net, 3)),
    max: countParams(net, uniformSizes(net, MAX_KERNEL)),
  };
}

/** "400000", "0.4M", "400k", "1.2m", "400K" → integer parameter count. */
export function parseBudget(text: string | number): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text) || text <= 0) throw new EffconvError('BUDGET_INVALID', `budget must be a positive number, got ${text}`, 'budget');
    return Math.round(text);
  }
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kKmM]?)\s*$/.exec(text);
  if (!m) throw new EffconvError('BUDGET_INVALID', `budget "${text}" is not a number like 400000, 400k or 0.4M`, 'budget');
  const scale = m[2] === '' ? 1 : m[2].toLowerCase() === 'k' ? 1e3 : 1e6;
  const value = Math.round(Number(m[1]) * scale);
  if (value <= 0) throw new EffconvError('BUDGET_INVALID', `budget "${text}" must be positive`, 'budget');
  return value;
}

export function formatParams(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(3)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

export function checkBudgetReachable(net: NetworkSpec, budget: number): void {
  const r = budgetRange(net);
  if (budget < r.min || budget > r.max) {
    throw new EffconvError(
      'BUDGET_UNREACHABLE',
      `budget ${budget.toLocaleString('en-US')} is outside what this backbone can reach: ` +
        `${r.min.toLocaleString('en-US')} (all 1×1) … ${r.max.toLocaleString('en-US')} (all 7×7); baseline 3×3 is ${r.baseline.toLocaleString('en-US')}`,
      'budget',
    );
  }
}

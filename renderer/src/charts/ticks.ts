// Ticks for axes of whole numbers (steps, epochs): a short run's axis spans a few steps, where
// D3 would put ticks at 1.2, 1.4…; those are dropped, and at least the ends are kept.
import type { ScaleLinear } from 'd3-scale';

export function wholeTicks(scale: ScaleLinear<number, number>, count: number): number[] {
  const ticks = scale.ticks(count).filter(Number.isInteger);
  if (ticks.length > 0) return ticks;
  // A domain with no whole number inside D3's ticks (e.g. 3.2 … 3.9): the whole numbers within it, if any.
  const [lo, hi] = scale.domain();
  const a = Math.ceil(Math.min(lo, hi));
  const b = Math.floor(Math.max(lo, hi));
  return a <= b ? [...new Set([a, b])] : [];
}

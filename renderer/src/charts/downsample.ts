// Reduce a long series for display without losing its extremes: split x into n buckets and
// keep each bucket's first, min and max points (in x order). 100,000 steps → ≤ 3n points.
export function downsampleMinMax(x: ArrayLike<number>, y: ArrayLike<number>, buckets: number): { x: number[]; y: number[] } {
  const n = x.length;
  if (n <= buckets * 3) return { x: Array.from(x), y: Array.from(y) };
  const outX: number[] = [];
  const outY: number[] = [];
  const size = n / buckets;
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(n, Math.floor((b + 1) * size));
    if (start >= end) continue;
    let lo = start;
    let hi = start;
    for (let i = start; i < end; i++) {
      if (y[i] < y[lo]) lo = i;
      if (y[i] > y[hi]) hi = i;
    }
    const picks = [...new Set([start, lo, hi])].sort((a, b2) => a - b2);
    for (const i of picks) {
      outX.push(x[i]);
      outY.push(y[i]);
    }
  }
  if (outX[outX.length - 1] !== x[n - 1]) {
    outX.push(x[n - 1]);
    outY.push(y[n - 1]);
  }
  return { x: outX, y: outY };
}

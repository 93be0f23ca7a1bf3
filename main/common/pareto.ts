// The accuracy–size Pareto front: a point is on it when no other point has at most its
// parameters and a higher top-1, or fewer parameters and the same top-1.
export function paretoFlags(points: readonly { params: number; top1: number }[]): boolean[] {
  const order = points.map((_, i) => i).sort((a, b) => points[a].params - points[b].params || points[b].top1 - points[a].top1);
  const flags = points.map(() => false);
  let bestFewer = -Infinity; // the best top-1 among points with strictly fewer parameters
  for (let i = 0; i < order.length; ) {
    const params = points[order[i]].params;
    const top = points[order[i]].top1; // the best of this parameter count (sorted first)
    let j = i;
    for (; j < order.length && points[order[j]].params === params; j++) flags[order[j]] = points[order[j]].top1 === top && top > bestFewer;
    bestFewer = Math.max(bestFewer, top);
    i = j;
  }
  return flags;
}

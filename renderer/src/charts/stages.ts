// Which stage a searched layer belongs to, from its name (stage2.block1.conv1 → 2), for
// drawing stage boundaries in the size views.
export function stageOf(layerName: string): number {
  const m = /^stage(\d+)\./.exec(layerName);
  return m ? Number(m[1]) : 0;
}

/** Index ranges [start, end) of consecutive layers in the same stage. */
export function stageRanges(layers: string[]): { stage: number; start: number; end: number }[] {
  const out: { stage: number; start: number; end: number }[] = [];
  layers.forEach((name, i) => {
    const s = stageOf(name);
    const last = out[out.length - 1];
    if (last && last.stage === s) last.end = i + 1;
    else out.push({ stage: s, start: i, end: i + 1 });
  });
  return out;
}

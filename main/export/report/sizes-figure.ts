// The learned kernel size of every searched layer as a bar chart (the paper's Fig. 2, top):
// one bar per layer in forward order, its size printed on it, stages as shaded bands with
// their width, the soft sizes of the search as markers (figure-svg.ts: points, fonts).
import type { EffconvConfig } from '../../contract/config';
import { MAX_KERNEL } from '../../engine/models/backbone';
import { esc, GRID, INK, layerStage, MUTED, num, shortLayerName, svgFigure, textWidth } from './figure-svg';

const BAR = '#3b6ea5';
const SOFT = '#c0392b';
const BAND = ['#f4f4f4', '#ffffff'];

interface Stage {
  name: string;
  first: number;
  count: number;
  width: number;
}

function stagesOf(config: EffconvConfig): Stage[] {
  const stages: Stage[] = [];
  config.layers.forEach((l, i) => {
    const name = layerStage(l.name);
    const last = stages[stages.length - 1];
    if (last && last.name === name) last.count += 1;
    else stages.push({ name, first: i, count: 1, width: l.out });
  });
  return stages;
}

export function sizesFigureSvg(config: EffconvConfig): string {
  const L = config.layers.length;
  const soft = config.layers.every((l) => typeof l.soft === 'number');
  const slot = Math.min(36, Math.max(10, 420 / L));
  const left = 46;
  const right = 14;
  const legendRow = soft ? 14 : 0;
  const stages = stagesOf(config);
  // The stage title carries its width; where a band is too narrow, the width goes on a second line.
  const fullTitle = (st: Stage) => `${st.name.replace('stage', 'stage ')} · ${st.width} ch`;
  const twoLines = stages.some((st) => textWidth(fullTitle(st), 8.5, true) + 4 > st.count * slot);
  const titleRow = twoLines ? 25 : 16;
  const unit = 22; // pt per kernel-size step
  const headroom = 0.75 * unit; // room for the value printed above a 7
  const top = 6 + legendRow + titleRow + headroom; // y of size 7
  const base = top + MAX_KERNEL * unit; // y of size 0
  const labelH = 14 + 4.3 * Math.max(...config.layers.map((l) => shortLayerName(l.name).length));
  const width = left + L * slot + right;
  const height = base + labelH + 16;
  const y = (v: number) => base - v * unit;
  const x = (i: number) => left + i * slot;
  const bandTop = 6 + legendRow;
  const out: string[] = [];
  // Stage bands with their titles, and dashed boundaries between stages.
  stages.forEach((s, k) => {
    const x0 = x(s.first);
    const w = s.count * slot;
    out.push(`<rect x="${num(x0)}" y="${num(bandTop)}" width="${num(w)}" height="${num(base - bandTop)}" fill="${BAND[k % 2]}"/>`);
    const n = s.name.replace('stage', '');
    const cx = num(x0 + w / 2);
    if (!twoLines) {
      out.push(`<text x="${cx}" y="${num(bandTop + 11)}" font-size="8.5" font-weight="bold" text-anchor="middle">${esc(fullTitle(s))}</text>`);
    } else {
      const title = [`stage ${n}`, `s${n}`].find((t) => textWidth(t, 8.5, true) + 4 <= w) ?? `s${n}`;
      out.push(`<text x="${cx}" y="${num(bandTop + 11)}" font-size="8.5" font-weight="bold" text-anchor="middle">${esc(title)}</text>`);
      out.push(`<text x="${cx}" y="${num(bandTop + 21)}" font-size="7.5" text-anchor="middle">${s.width} ch</text>`);
    }
    if (k > 0) out.push(`<line x1="${num(x0)}" y1="${num(bandTop)}" x2="${num(x0)}" y2="${num(base)}" stroke="${MUTED}" stroke-width="0.8" stroke-dasharray="3 2"/>`);
  });
  // Grid and y axis.
  for (let v = 0; v <= MAX_KERNEL; v++) {
    out.push(`<line x1="${left}" y1="${num(y(v))}" x2="${num(left + L * slot)}" y2="${num(y(v))}" stroke="${v === 0 ? INK : GRID}" stroke-width="${v === 0 ? 0.9 : 0.5}"/>`);
    out.push(`<text x="${left - 5}" y="${num(y(v) + 3)}" font-size="8" text-anchor="end">${v}</text>`);
  }
  out.push(`<line x1="${left}" y1="${num(bandTop)}" x2="${left}" y2="${num(base)}" stroke="${INK}" stroke-width="0.9"/>`);
  out.push(`<text transform="translate(13 ${num((top + base) / 2)}) rotate(-90)" font-size="9" text-anchor="middle">kernel size s (s×s)</text>`);
  // Bars; the size is printed above the bar (or above the soft-size mark when that is higher).
  config.layers.forEach((l, i) => {
    const bw = slot * 0.68;
    const bx = x(i) + (slot - bw) / 2;
    const cx = x(i) + slot / 2;
    out.push(`<rect x="${num(bx)}" y="${num(y(l.kernel))}" width="${num(bw)}" height="${num(l.kernel * unit)}" fill="${BAR}"><title>${esc(l.name)}: ${l.kernel}×${l.kernel}</title></rect>`);
    if (soft) out.push(`<path d="M${num(bx - 1)} ${num(y(l.soft!))}h${num(bw + 2)}" stroke="${SOFT}" stroke-width="1.4"/>`);
    const labelAt = Math.max(l.kernel, soft ? l.soft! : 0);
    out.push(`<text x="${num(cx)}" y="${num(y(labelAt) - 3)}" font-size="${slot >= 14 ? 8.5 : 7}" font-weight="bold" text-anchor="middle">${l.kernel}</text>`);
    out.push(`<text x="${num(cx)}" y="${num(base + 9)}" font-size="${slot >= 12 ? 7 : 6}" text-anchor="middle">${i + 1}</text>`);
    out.push(`<text transform="translate(${num(cx + 2.4)} ${num(base + 13)}) rotate(-90)" font-size="${slot >= 12 ? 7 : 6.2}" text-anchor="end">${esc(shortLayerName(l.name))}</text>`);
  });
  out.push(`<text x="${num(left + (L * slot) / 2)}" y="${num(height - 5)}" font-size="9" text-anchor="middle">searched layer (index, block.conv)</text>`);
  if (soft) {
    const lx = left + L * slot;
    out.push(`<rect x="${num(lx - 121)}" y="6" width="7" height="8" fill="${BAR}"/><text x="${num(lx - 111)}" y="13" font-size="7.5">learned size</text>`);
    out.push(`<path d="M${num(lx - 60)} 10h10" stroke="${SOFT}" stroke-width="1.4"/><text x="${num(lx - 47)}" y="13" font-size="7.5">soft size v</text>`);
  }
  return svgFigure(width, height, `Learned kernel size per layer (${config.backbone.family}-${config.backbone.depth}, ${config.params.total} parameters)`, out);
}

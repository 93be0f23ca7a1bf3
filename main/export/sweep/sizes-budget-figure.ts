// sizes-vs-budget.svg: how the searched sizes move as the budget grows. One panel per
// backbone × data set: a row per searched layer, a column per budget (ascending), each cell
// coloured by the mean learned size over the completed seeds with that size printed in it;
// a cell no seed completed stays grey with a dash. One colour key (1…7) for all panels.
import { scaleSequential } from 'd3-scale';
import { interpolateViridis } from 'd3-scale-chromatic';
import type { SweepDetail } from '../../contract/sweep';
import { MAX_KERNEL, MIN_KERNEL } from '../../engine/models/backbone';
import { esc, layerStage, MUTED, num, shortLayerName, svgFigure, textWidth } from '../report/figure-svg';
import { formatParams } from '../../engine/models/params';
import { datasetLabel } from './chart-parts';
import { networkKey, type SweepNetwork } from './sweep-input';
import type { ResultRow } from './sweep-stats';

const colour = scaleSequential(interpolateViridis).domain([MIN_KERNEL, MAX_KERNEL]);

/** Black or white, whichever reads on the fill (#rrggbb, as viridis gives it). */
function inkOn(fill: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(fill.slice(i, i + 2), 16));
  return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? '#000000' : '#ffffff';
}

/** A mean size as printed: whole sizes plainly, others to one decimal. */
export function sizeLabel(v: number): string {
  return Math.abs(v - Math.round(v)) < 1e-9 ? String(Math.round(v)) : v.toFixed(1);
}

interface Panel {
  backbone: string;
  dataset: string;
  layers: string[];
  columns: ResultRow[];
}

function panelsOf(s: SweepDetail, rows: ResultRow[], networks: SweepNetwork[]): Panel[] {
  const nets = new Map(networks.map((n) => [networkKey(n.backbone, n.dataset), n]));
  const panels: Panel[] = [];
  for (const dataset of s.grid.datasets) {
    for (const backbone of s.grid.backbones) {
      const columns = rows.filter((r) => r.kind === 'search' && r.backbone === backbone && r.dataset === dataset).sort((a, b) => a.budget - b.budget);
      const layers = nets.get(networkKey(backbone, dataset))?.layers ?? columns.flatMap((r) => r.points).find((p) => p.layers?.length)?.layers ?? [];
      panels.push({ backbone, dataset, layers, columns });
    }
  }
  return panels;
}

export function sizesBudgetFigureSvg(s: SweepDetail, rows: ResultRow[], networks: SweepNetwork[]): string {
  const panels = panelsOf(s, rows, networks);
  const maxCols = Math.max(1, ...panels.map((p) => p.columns.length));
  const maxLayers = Math.max(1, ...panels.map((p) => p.layers.length));
  const cellW = maxCols > 16 ? 26 : 36;
  const cellH = maxLayers > 36 ? 9 : 13;
  const font = cellH >= 13 ? 7.5 : 6;
  const labelW = 10 + Math.max(...panels.flatMap((p) => p.layers.map((l, i) => textWidth(`${i + 1} ${shortLayerName(l)}`, font))), 30);
  const left = 6 + 14 + labelW;
  const gridW = maxCols * cellW;
  const titleW = Math.max(...panels.map((p) => textWidth(`${p.backbone} · ${datasetLabel(p.dataset)}`, 9, true)));
  const keyX = left + Math.max(gridW, titleW) + 18;
  const width = keyX + 46;
  const marks: string[] = [];
  let y = 6;
  for (const p of panels) {
    const title = `${p.backbone} · ${datasetLabel(p.dataset)}`;
    marks.push(`<g class="panel" data-backbone="${esc(p.backbone)}" data-dataset="${esc(p.dataset)}">`);
    marks.push(`<text x="${num(left)}" y="${num(y + 10)}" font-size="9" font-weight="bold">${esc(title)}</text>`);
    const head = y + 16;
    p.columns.forEach((c, j) => {
      const cx = left + j * cellW + cellW / 2;
      marks.push(`<text x="${num(cx)}" y="${num(head + 8)}" font-size="7.5" text-anchor="middle">${esc(c.budgetLabel ?? '')}</text>`);
      marks.push(`<text x="${num(cx)}" y="${num(head + 17)}" font-size="6.5" fill="${MUTED}" text-anchor="middle">${formatParams(c.budget)}</text>`);
    });
    const top = head + 22;
    if (p.layers.length === 0 || p.columns.length === 0) {
      marks.push(`<text x="${num(left)}" y="${num(top + 10)}" font-size="8">${p.columns.length === 0 ? 'no budget' : 'no point of this backbone has started (layers unknown)'}</text>`, '</g>');
      y = top + 22;
      continue;
    }
    // Layer labels, with the stage each run of layers belongs to at the far left.
    let first = 0;
    p.layers.forEach((l, i) => {
      const ly = top + i * cellH;
      marks.push(`<text x="${num(left - 4)}" y="${num(ly + cellH / 2 + font * 0.36)}" font-size="${font}" text-anchor="end">${i + 1} ${esc(shortLayerName(l))}</text>`);
      const last = i === p.layers.length - 1 || layerStage(p.layers[i + 1]) !== layerStage(l);
      if (last) {
        const mid = top + ((first + i + 1) / 2) * cellH;
        marks.push(`<text transform="translate(${num(6 + 9)} ${num(mid)}) rotate(-90)" font-size="7" text-anchor="middle">${esc(layerStage(l).replace('stage', 'S'))}</text>`);
        if (i < p.layers.length - 1) marks.push(`<line class="stage-boundary" x1="${num(6 + 12)}" y1="${num(top + (i + 1) * cellH)}" x2="${num(left + p.columns.length * cellW)}" y2="${num(top + (i + 1) * cellH)}" stroke="#ffffff" stroke-width="1.6"/>`);
        first = i + 1;
      }
    });
    p.columns.forEach((c, j) => {
      p.layers.forEach((l, i) => {
        const x = left + j * cellW;
        const cy = top + i * cellH;
        const v = c.sizes?.[i];
        const where = ` data-backbone="${esc(p.backbone)}" data-dataset="${esc(p.dataset)}" data-layer="${esc(l)}" data-budget="${c.budget}"`;
        if (v === undefined) {
          marks.push(`<rect class="cell empty"${where} data-n="0" x="${num(x + 0.4)}" y="${num(cy + 0.4)}" width="${num(cellW - 0.8)}" height="${num(cellH - 0.8)}" fill="#eeeeee"><title>${esc(`${l} at ${c.budgetLabel}: no completed seed`)}</title></rect>`);
          marks.push(`<text x="${num(x + cellW / 2)}" y="${num(cy + cellH / 2 + font * 0.36)}" font-size="${font}" fill="${MUTED}" text-anchor="middle">–</text>`);
          return;
        }
        const fill = colour(v);
        const seeds = c.done.map((d) => `${d.sizes?.[i]}`).join(', ');
        marks.push(`<rect class="cell"${where} data-size="${v}" data-n="${c.done.length}" x="${num(x + 0.4)}" y="${num(cy + 0.4)}" width="${num(cellW - 0.8)}" height="${num(cellH - 0.8)}" fill="${fill}"><title>${esc(`${l} at ${c.budgetLabel} (${c.budget.toLocaleString('en-US')}): mean size ${sizeLabel(v)} over ${c.done.length} seed${c.done.length === 1 ? '' : 's'} (${seeds})`)}</title></rect>`);
        marks.push(`<text class="cell-label" x="${num(x + cellW / 2)}" y="${num(cy + cellH / 2 + font * 0.36)}" font-size="${font}" fill="${inkOn(fill)}" text-anchor="middle">${sizeLabel(v)}</text>`);
      });
    });
    marks.push('</g>');
    y = top + p.layers.length * cellH + 10;
  }
  // The colour key: a continuous ramp from 1 (bottom) to 7 (top), its sizes ticked.
  const keyTop = 6 + 16 + 22;
  const keyH = Math.max(70, Math.min(140, y - keyTop - 10));
  const stops = Array.from({ length: 13 }, (_, i) => {
    const v = MIN_KERNEL + ((MAX_KERNEL - MIN_KERNEL) * i) / 12;
    return `<stop offset="${num(i / 12)}" stop-color="${colour(v)}"/>`;
  });
  marks.push(`<defs><linearGradient id="size-key" x1="0" y1="1" x2="0" y2="0">${stops.join('')}</linearGradient></defs>`);
  marks.push(`<g class="key"><text x="${num(keyX)}" y="${num(keyTop - 6)}" font-size="7.5">size s</text>`);
  marks.push(`<rect x="${num(keyX)}" y="${num(keyTop)}" width="9" height="${num(keyH)}" fill="url(#size-key)" stroke="${MUTED}" stroke-width="0.4"/>`);
  for (let v = MIN_KERNEL; v <= MAX_KERNEL; v++) {
    const ty = keyTop + keyH - ((v - MIN_KERNEL) / (MAX_KERNEL - MIN_KERNEL)) * keyH;
    marks.push(`<path d="M${num(keyX + 9)} ${num(ty)}h3" stroke="${MUTED}" stroke-width="0.5"/><text x="${num(keyX + 14)}" y="${num(ty + 2.6)}" font-size="7.5">${v}</text>`);
  }
  marks.push('</g>');
  const height = Math.max(y, keyTop + keyH + 10) + 4;
  return svgFigure(width, height, `Learned kernel size per layer against the budget, sweep "${s.name}" (mean over the completed seeds)`, marks);
}

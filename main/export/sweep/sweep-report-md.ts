// report.md of a sweep: the grid (budgets as written and resolved per backbone, shared
// options), the results table as in the paper (baseline first; mean ± sample std over seeds;
// Δ top-1 against the baseline of the same seed), the figures, the Pareto front, the points
// that did not complete, the machine and backend, and the command that repeats the sweep.
import type { EffconvConfig } from '../../contract/config';
import type { SweepDetail, SweepPoint } from '../../contract/sweep';
import { PRODUCER, PRODUCER_VERSION } from '../producer';
import type { FigureSize } from '../report/figure-files';
import { datasetLabel } from './chart-parts';
import { networkKey, type SweepExportInput } from './sweep-input';
import { sweepCommand } from './sweep-reproduce';
import { isDone, type ResultRow, type Stat } from './sweep-stats';

const n = (v: number) => v.toLocaleString('en-US');
const DASH = '—';

/** A fraction as per cent, two decimals. */
export const pct = (v: number): string => (v * 100).toFixed(2);

/** Mean ± sample std in per cent; the mean alone for one seed; a dash for none. */
export function pctStat(s: Stat | null): string {
  if (!s) return DASH;
  return s.std === null ? pct(s.mean) : `${pct(s.mean)} ± ${pct(s.std)}`;
}

/** A difference in percentage points with its sign. */
export function signedPp(v: number): string {
  const t = (v * 100).toFixed(2);
  const clean = /^-0\.0+$/.test(t) ? t.slice(1) : t;
  return clean.startsWith('-') ? clean : `+${clean}`;
}

function deltaCell(s: Stat | null): string {
  if (!s) return DASH;
  return s.std === null ? signedPp(s.mean) : `${signedPp(s.mean)} ± ${pct(s.std)}`;
}

const secs = (s: Stat | null) => (s ? s.mean.toFixed(2) : DASH);
const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;

function optionsLine(s: SweepDetail): string {
  const o = s.options;
  const limits = o.limitTrain || o.limitTest ? `${o.limitTrain ? `first ${n(o.limitTrain)} training` : 'all training'} and ${o.limitTest ? `first ${n(o.limitTest)} test` : 'all test'} images` : 'every image of both splits';
  return [
    `stage 1 (search): ${plural(o.searchEpochs, 'epoch')}, batch ${o.batchSize}`,
    `stage 2 (train): ${plural(o.trainEpochs, 'epoch')}, batch ${o.trainBatchSize}, lr ${o.lr ?? '0.1 (default)'}`,
    `crop ${o.crop === undefined ? 'default (pad 4 for ≥ 32 px, 2 below)' : `pad ${o.crop}`}, flips ${o.flip === undefined ? "default (the data set's)" : o.flip ? 'on' : 'off'}`,
    limits,
    `backend ${o.backend}`,
  ].join('; ');
}

function gridSection(input: SweepExportInput): string[] {
  const { sweep: s } = input;
  const g = s.grid;
  const perPair = g.seeds.length * (g.budgets.length + (g.baseline ? 1 : 0));
  const pairs = g.datasets.flatMap((d) => g.backbones.map((b) => ({ backbone: b, dataset: d })));
  const nets = new Map(input.networks.map((x) => [networkKey(x.backbone, x.dataset), x]));
  const resolved = (label: string, b: string, d: string) => s.points.find((p) => p.kind === 'search' && p.budgetLabel === label && p.backbone === b && p.dataset === d)?.budget;
  const head = pairs.map((p) => `${p.backbone} · ${datasetLabel(p.dataset)}`);
  const range = (f: (x: { min: number; baseline: number; max: number; layers: string[] }) => string) => pairs.map((p) => {
    const x = nets.get(networkKey(p.backbone, p.dataset));
    return x ? f(x) : 'not known';
  });
  return [
    '## Grid',
    '',
    '| | |',
    '| --- | --- |',
    `| Backbones | ${g.backbones.join(', ')} |`,
    `| Data sets | ${g.datasets.map((d) => `\`${d}\``).join(', ')} |`,
    `| Seeds | ${g.seeds.join(', ')} |`,
    `| Budgets as written | ${g.budgets.map((b) => `\`${b.label}\`${b.kind === 'relative' ? ` (${b.factor} × the backbone's all-3×3 count)` : ''}`).join(', ')} |`,
    `| Baseline | ${g.baseline ? 'the all-3×3 network of every backbone × data set × seed, trained with the same stage-2 protocol (no search)' : 'none (the sweep was recorded without --baseline)'} |`,
    `| Points | ${n(s.total)} = ${plural(g.datasets.length, 'data set')} × ${plural(g.backbones.length, 'backbone')} × ${plural(g.seeds.length, 'seed')} × (${plural(g.budgets.length, 'budget')}${g.baseline ? ' + the baseline' : ''})${perPair * pairs.length === s.total ? '' : ` (the grid gives ${perPair * pairs.length})`} |`,
    `| Shared options | ${optionsLine(s)} |`,
    `| Parallel | ${s.parallel} point${s.parallel === 1 ? '' : 's'} at once on one machine (the cores divided among them) |`,
    '',
    'Budgets resolved per backbone and data set (parameters of the final CNN):',
    '',
    `| budget | ${head.join(' | ')} |`,
    `| --- | ${head.map(() => '---:').join(' | ')} |`,
    ...g.budgets.map((b) => `| \`${b.label}\` | ${pairs.map((p) => { const v = resolved(b.label, p.backbone, p.dataset); return v === undefined ? DASH : n(v); }).join(' | ')} |`),
    `| all 3×3 | ${range((x) => n(x.baseline)).join(' | ')} |`,
    `| reachable (all 1×1 … all 7×7) | ${range((x) => `${n(x.min)} … ${n(x.max)}`).join(' | ')} |`,
    `| searched layers | ${range((x) => String(x.layers.length)).join(' | ')} |`,
  ];
}

function resultsSection(s: SweepDetail, rows: ResultRow[]): string[] {
  const base = s.grid.baseline;
  const head = ['backbone', 'data set', 'budget', 'budget (params)', 'seeds done', 'params (mean)', 'top-1 % (mean ± std)', 'top-5 % (mean ± std)', ...(base ? ['Δ top-1 (pp)'] : []), 's/epoch search', 's/epoch train'];
  const align = ['---', '---', '---', '---:', '---:', '---:', '---:', '---:', ...(base ? ['---:'] : []), '---:', '---:'];
  const body = rows.map((r) => {
    const cells = [
      r.backbone, datasetLabel(r.dataset), r.kind === 'baseline' ? '3×3 baseline' : `\`${r.budgetLabel}\``, r.kind === 'baseline' ? DASH : n(r.budget),
      `${r.done.length}/${r.points.length}`, r.params ? n(Math.round(r.params.mean)) : DASH, pctStat(r.top1), pctStat(r.top5),
      ...(base ? [r.kind === 'baseline' ? DASH : deltaCell(r.deltaTop1)] : []), secs(r.searchSecondsPerEpoch), secs(r.trainSecondsPerEpoch),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  const notDone = s.points.filter((p) => !isDone(p)).length;
  return [
    '## Results',
    '',
    `| ${head.join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...body,
    '',
    'Each row is over the seeds whose point completed (*seeds done*). *params* and the *s/epoch* columns are means over those seeds; ' +
      'top-1 and top-5 are on the test split, in per cent, as **mean ± sample standard deviation (n − 1)** over the seeds; a row with one completed seed shows its value without ±.',
    ...(base ? ['', '**Δ top-1** is paired by seed: for each seed, the point\'s top-1 minus the top-1 of the all-3×3 baseline of the same backbone, data set and seed; the column shows the mean of these differences over the seeds where both completed (± their sample standard deviation), in percentage points. Where every seed completed it equals the difference of the two means.'] : []),
    '',
    notDone === 0
      ? `All ${n(s.total)} points completed.`
      : `${n(notDone)} of ${n(s.total)} points did not complete; they are listed below and in \`points.csv\` with their status, and are left out of the means, the figures and \`configs/\`.`,
  ];
}

function frontSection(s: SweepDetail): string[] {
  const out = ['## Pareto front', '', 'Completed points that no other completed point of the same data set beats: none has at most their parameters and a higher top-1, or fewer parameters and the same top-1.', ''];
  for (const d of s.grid.datasets) {
    const front = s.points.filter((p) => p.dataset === d && p.onFront).sort((a, b) => a.params! - b.params!);
    if (s.grid.datasets.length > 1) out.push(`**${datasetLabel(d)}**`, '');
    if (front.length === 0) {
      out.push('No completed point yet.', '');
      continue;
    }
    out.push('| point | run | backbone | budget | seed | params | top-1 % | top-5 % | sizes |', '| ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | --- |');
    for (const p of front) {
      out.push(`| ${p.index} | ${p.runId} | ${p.backbone} | ${p.kind === 'baseline' ? '3×3 baseline' : `\`${p.budgetLabel}\``} | ${p.seed} | ${n(p.params!)} | ${pct(p.top1!)} | ${p.top5 === null ? DASH : pct(p.top5)} | ${p.sizes?.join(' ') ?? ''} |`);
    }
    out.push('');
  }
  return out;
}

function unfinishedSection(points: SweepPoint[]): string[] {
  const rest = points.filter((p) => !isDone(p));
  if (rest.length === 0) return [];
  const why = (p: SweepPoint) => (p.error ? `${p.error.code}: ${p.error.message}` : p.progress ? `stage ${p.progress.stage}, epoch ${p.progress.epoch}, step ${p.progress.step}/${p.progress.totalSteps}` : '').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
  return [
    '## Points that did not complete',
    '',
    '| point | run | backbone | data set | budget | seed | status | error or progress |',
    '| ---: | ---: | --- | --- | --- | ---: | --- | --- |',
    ...rest.map((p) => `| ${p.index} | ${p.runId} | ${p.backbone} | ${datasetLabel(p.dataset)} | ${p.kind === 'baseline' ? '3×3 baseline' : `\`${p.budgetLabel}\``} | ${p.seed} | ${p.status} | ${why(p)} |`),
    '',
  ];
}

function counted(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, k]) => (counts.size === 1 ? v : `${v} (${plural(k, 'point')})`)).join('; ');
}

function machineSection(input: SweepExportInput): string[] {
  const configs = [...input.configs.values()] as EffconvConfig[];
  const machines = configs.flatMap((c) => (c.machine ? [`${c.machine.cpu}, ${c.machine.cores} cores, ${c.machine.memoryGiB} GiB; ${c.machine.os}; Node ${c.machine.node}`] : []));
  const backends = configs.flatMap((c) => {
    const b = c.search?.backend ?? c.train?.backend;
    return b ? [`${b}${c.machine ? ` (${c.machine.device})` : ''}`] : [];
  });
  const done = input.sweep.points.filter(isDone);
  const total = done.reduce((a, p) => a + (p.seconds ?? 0), 0);
  return [
    '## Machine and backend',
    '',
    '| | |',
    '| --- | --- |',
    `| Machine | ${machines.length ? counted(machines) : 'not recorded (no completed point)'} |`,
    `| Backend | ${backends.length ? counted(backends) : 'not recorded (no completed point)'} |`,
    `| Time | ${done.length ? `${n(Math.round(total))} s of point time over ${plural(done.length, 'completed point')} (${input.sweep.parallel} at once)` : DASH} |`,
    '',
  ];
}

export function sweepReportMarkdown(input: SweepExportInput, rows: ResultRow[], figures: Record<'pareto' | 'accuracy' | 'sizes', FigureSize>): string {
  const s = input.sweep;
  const done = s.points.filter(isDone).length;
  const size = (f: FigureSize) => `${f.dpi} dpi at ${f.widthIn.toFixed(2)} × ${f.heightIn.toFixed(2)} in`;
  const configs = input.configs.size;
  return [
    `# Sweep "${s.name}"`,
    '',
    `Generated by ${PRODUCER} ${PRODUCER_VERSION} on ${new Date().toISOString().slice(0, 10)} from sweep ${s.id} (\`effconv sweep show ${s.id}\`). ` +
      `Status: **${s.status}**, ${done} of ${s.total} points completed${s.status === 'running' || s.status === 'queued' ? ' (the sweep was still running: this is what had finished)' : ''}.`,
    ...(s.notes ? ['', `Notes: ${s.notes}`] : []),
    '',
    ...gridSection(input),
    '',
    ...resultsSection(s, rows),
    '',
    '## Figures',
    '',
    '![Top-1 against parameters with the Pareto front](pareto.png)',
    '',
    `*Top-1 against parameters of every completed point, one panel per data set; filled circles are searched points, hollow squares the 3×3 baselines, one colour per backbone; the step line is the Pareto front (the best top-1 reachable with at most that many parameters). Vector: \`pareto.svg\`; \`pareto.png\` is ${size(figures.pareto)}.*`,
    '',
    '![Top-1 against the parameter budget](accuracy-vs-budget.png)',
    '',
    `*Top-1 against the parameter budget per backbone (the paper's Fig. 3): the line joins the means over seeds, the band and whiskers span the seeds' min–max (drawn where two or more seeds completed)${s.grid.baseline ? '; the dashed line is the 3×3 baseline\'s mean top-1, its square at the baseline\'s own parameter count' : ''}. Vector: \`accuracy-vs-budget.svg\`; the PNG is ${size(figures.accuracy)}.*`,
    '',
    '![Learned kernel sizes against the budget](sizes-vs-budget.png)',
    '',
    `*Learned kernel size of every searched layer (rows, forward order, grouped by stage) at each budget (columns, ascending), one panel per backbone × data set: the mean over the completed seeds, printed in the cell (a dash where no seed completed). Vector: \`sizes-vs-budget.svg\`; the PNG is ${size(figures.sizes)}.*`,
    '',
    ...frontSection(s),
    ...unfinishedSection(s.points),
    ...machineSection(input),
    '## Reproduce',
    '',
    'The same grid and options as a new sweep (a sweep\'s name must be new; the runs repeat bit for bit on the same backend and machine):',
    '',
    '```sh',
    sweepCommand(s, `${s.name} (repeat)`),
    '```',
    '',
    'One point alone: `effconv show RUN` gives its options; its learned config is in `configs/` (`effconv train --config configs/point-I-run-R.json --dataset …` trains that CNN again).',
    '',
    '## Files',
    '',
    '- `report.md`: this page.',
    '- `points.csv`: one row per point with every field of `effconv sweep show --json` (CSV as RFC 4180; sizes and layers space-separated; progress and error flattened into columns).',
    '- `pareto.svg`, `pareto.png`, `accuracy-vs-budget.svg`, `accuracy-vs-budget.png`, `sizes-vs-budget.svg`, `sizes-vs-budget.png`: the figures above.',
    `- \`configs/point-<index>-run-<id>.json\`: the learned config of each completed point (${configs} file${configs === 1 ? '' : 's'}; \`effconv config validate\` checks one)` +
      (input.missingConfigs.length ? `; missing: ${input.missingConfigs.map((m) => `point ${m.index} (run ${m.runId}): ${m.reason}`).join('; ')}.` : '.'),
    '',
  ].join('\n');
}

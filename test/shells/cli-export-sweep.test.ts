// effconv export sweep as users run it (the built CLI), on two real sweeps on MNIST: a
// 2-budget × 2-seed grid with the 3×3 baseline, and a single-seed sweep whose points on a
// damaged data set fail. report.md's table against means, sample stds and paired Δ computed
// here from `sweep show --json`; every SVG parsed as XML by Python with its marks counted;
// every PNG decoded at its size; points.csv read back by Python's csv module equal to
// `sweep show --json` field by field; each config accepted by `effconv config validate`;
// --force, the default folder, and no partial output after a write that fails midway.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { ConfigValidation } from '../../main/contract/api';
import type { ExportSweepResult } from '../../main/contract/export';
import type { SweepDetail, SweepPoint } from '../../main/contract/sweep';
import { readPng } from '../export/helpers/png';
import { fixture, REPO_ROOT } from '../helpers/data';
import { listing, python, useTempLibrary } from '../helpers/library';

const { home, work } = useTempLibrary('effconv-cli-export-sweep-');
const env = { ...process.env, EFFCONV_HOME: home };
const CLI = join(REPO_ROOT, 'bin/effconv.js');

function effconv(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 900_000, env, cwd: work });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SMALL = ['--backbone', 'resnet8', '--batch-size', '32', '--train-batch-size', '32', '--limit-train', '64', '--limit-test', '64', '--backend', 'wasm',
  '--search-epochs', '1', '--train-epochs', '1', '--quiet'];
const LAYERS = ['stage1.block1.conv1', 'stage1.block1.conv2', 'stage2.block1.conv1', 'stage2.block1.conv2', 'stage3.block1.conv1', 'stage3.block1.conv2'];

let grid: SweepDetail;
let partial: SweepDetail;
const gridOut = join(work, 'grid-out');
const partialOut = join(work, 'partial-out');

const show = (ref: string): SweepDetail => JSON.parse(effconv('sweep', 'show', ref, '--json').stdout) as SweepDetail;

before(() => {
  for (const [path, name] of [[fixture('mnist'), 'mnist'], [fixture('mnist-png'), 'digits']]) {
    const r = effconv('dataset', 'import', path, '--name', name, '--quiet');
    assert.equal(r.code, 0, r.stderr);
  }
  let r = effconv('sweep', ...SMALL, '--dataset', 'mnist', '--budget', '30k,0.8x', '--seed', '1,2', '--baseline', '--parallel', '2', '--name', 'export grid');
  assert.equal(r.code, 0, r.stderr);
  grid = show('export grid');
  // A second entry whose pixel file is damaged after import: its points fail when they open it.
  truncateSync(join(home, 'datasets', 'digits', 'train.u8'), 100);
  r = effconv('sweep', ...SMALL, '--dataset', 'mnist,digits', '--budget', '30k', '--seed', '3', '--baseline', '--name', 'one seed, partly failed');
  assert.equal(r.code, 1, r.stderr); // partial
  partial = show('one seed, partly failed');
  assert.equal(partial.status, 'partial');
  assert.deepEqual(partial.points.map((p) => [p.dataset, p.kind, p.status]), [
    ['mnist', 'baseline', 'completed'], ['mnist', 'search', 'completed'], ['digits', 'baseline', 'failed'], ['digits', 'search', 'failed'],
  ]);
  for (const [ref, out] of [['export grid', gridOut], [String(partial.id), partialOut]]) {
    const e = effconv('export', 'sweep', ref, '--out', out);
    assert.equal(e.code, 0, e.stderr);
  }
});

// ---- independent arithmetic over the points ---------------------------------------------

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sampleStd = (v: number[]) => Math.sqrt(v.reduce((a, x) => a + (x - mean(v)) ** 2, 0) / (v.length - 1));

interface TableRow {
  cells: string[];
}

/** The rows of report.md's results table, cells trimmed. */
function resultsTable(md: string): { head: string[]; rows: TableRow[] } {
  const lines = md.split('\n');
  const at = lines.indexOf('## Results');
  const table = lines.slice(at + 2, lines.indexOf('', at + 2));
  const split = (l: string) => l.split('|').slice(1, -1).map((c) => c.trim());
  return { head: split(table[0]), rows: table.slice(2).map((l) => ({ cells: split(l) })) };
}

/** "13.28 ± 5.52" → [13.28, 5.52]; "13.28" → [13.28, null]; "—" → null. */
function meanStd(cell: string): [number, number | null] | null {
  if (cell === '—') return null;
  const m = /^([+-]?[\d.]+)(?: ± ([\d.]+))?$/.exec(cell);
  assert.ok(m, `a mean ± std cell, got "${cell}"`);
  return [Number(m[1]), m[2] === undefined ? null : Number(m[2])];
}

function assertClose(cell: string, values: number[] | null, what: string) {
  const got = meanStd(cell);
  if (!values || values.length === 0) return assert.equal(got, null, `${what}: no value`);
  assert.ok(got, `${what}: a value`);
  assert.ok(Math.abs(got[0] - mean(values) * 100) <= 0.005 + 1e-9, `${what}: mean ${got[0]} vs ${mean(values) * 100}`);
  if (values.length === 1) assert.equal(got[1], null, `${what}: one seed, no std`);
  else assert.ok(Math.abs(got[1]! - sampleStd(values) * 100) <= 0.005 + 1e-9, `${what}: std ${got[1]} vs ${sampleStd(values) * 100}`);
}

/** Each row of the table checked against the points it stands for. */
function checkTable(s: SweepDetail, md: string) {
  const { head, rows } = resultsTable(md);
  assert.deepEqual(head, ['backbone', 'data set', 'budget', 'budget (params)', 'seeds done', 'params (mean)', 'top-1 % (mean ± std)', 'top-5 % (mean ± std)', 'Δ top-1 (pp)', 's/epoch search', 's/epoch train']);
  const col = (name: string) => head.indexOf(name);
  const groups = new Map<string, SweepPoint[]>();
  for (const p of s.points) groups.set(`${p.dataset}|${p.budgetLabel ?? 'baseline'}`, [...(groups.get(`${p.dataset}|${p.budgetLabel ?? 'baseline'}`) ?? []), p]);
  assert.equal(rows.length, groups.size);
  for (const { cells } of rows) {
    const label = cells[col('budget')] === '3×3 baseline' ? 'baseline' : cells[col('budget')].replace(/`/g, '');
    const points = groups.get(`${cells[col('data set')]}|${label}`)!;
    assert.ok(points, `a row for ${cells.join(' | ')}`);
    const done = points.filter((p) => p.status === 'completed');
    assert.equal(cells[col('seeds done')], `${done.length}/${points.length}`);
    assert.equal(cells[col('budget (params)')], label === 'baseline' ? '—' : points[0].budget.toLocaleString('en-US'));
    assert.equal(cells[col('params (mean)')], done.length ? Math.round(mean(done.map((p) => p.params!))).toLocaleString('en-US') : '—');
    assertClose(cells[col('top-1 % (mean ± std)')], done.map((p) => p.top1!), `${label} top-1`);
    assertClose(cells[col('top-5 % (mean ± std)')], done.map((p) => p.top5!), `${label} top-5`);
    if (label === 'baseline') assert.equal(cells[col('Δ top-1 (pp)')], '—');
    else {
      // Paired by seed: the point minus the baseline of its seed, where both completed.
      const diffs = done.flatMap((p) => {
        const b = s.points.find((q) => q.kind === 'baseline' && q.dataset === p.dataset && q.seed === p.seed && q.status === 'completed');
        return b ? [p.top1! - b.top1!] : [];
      });
      assertClose(cells[col('Δ top-1 (pp)')], diffs, `${label} Δ`);
    }
    const secs = (f: (p: SweepPoint) => number | null) => {
      const v = done.map(f).filter((x): x is number => x !== null);
      return v.length ? mean(v).toFixed(2) : '—';
    };
    assert.equal(cells[col('s/epoch search')], secs((p) => p.searchSecondsPerEpoch));
    assert.equal(cells[col('s/epoch train')], secs((p) => p.trainSecondsPerEpoch));
  }
}

// ---- readers that are not ours ------------------------------------------------------------

interface Mark {
  tag: string;
  cls: string;
  attrs: Record<string, string>;
  text: string;
}

/** An SVG parsed by Python's XML parser (well-formed or it throws): its size and every element with a class. */
function parseSvg(path: string): { root: string; width: string; height: string; marks: Mark[] } {
  const out = python(`
import sys, json, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
marks = [{'tag': el.tag.split('}')[-1], 'cls': el.get('class'), 'attrs': dict(el.attrib), 'text': ''.join(el.itertext())} for el in root.iter() if el.get('class')]
print(json.dumps({'root': root.tag, 'width': root.get('width'), 'height': root.get('height'), 'marks': marks}))
`, path);
  return JSON.parse(out);
}

const having = (marks: Mark[], cls: string) => marks.filter((m) => m.cls.split(' ').includes(cls));

/** points.csv read by Python's csv module (RFC 4180 quoting), one object per row keyed by the header. */
function readCsv(path: string): Record<string, string>[] {
  return JSON.parse(python('import sys, csv, json\nwith open(sys.argv[1], newline="") as f: print(json.dumps(list(csv.DictReader(f, strict=True))))', path));
}

/** A points.csv row turned back into the shape of a point in `sweep show --json`. */
function pointFromCsv(r: Record<string, string>): unknown {
  const num = (s: string) => (s === '' ? null : Number(s));
  const str = (s: string) => (s === '' ? null : s);
  return {
    index: Number(r.index), runId: Number(r.run_id), kind: r.kind, backbone: r.backbone, dataset: r.dataset, seed: Number(r.seed),
    budgetLabel: str(r.budget_label), budget: Number(r.budget), status: r.status, params: num(r.params), top1: num(r.top1), top5: num(r.top5),
    onFront: { true: true, false: false }[r.on_front], sizes: r.sizes === '' ? null : r.sizes.split(' ').map(Number), layers: r.layers === '' ? null : r.layers.split(' '),
    searchSecondsPerEpoch: num(r.search_seconds_per_epoch), trainSecondsPerEpoch: num(r.train_seconds_per_epoch), seconds: num(r.seconds),
    progress: r.progress_stage === ''
      ? null
      : { stage: Number(r.progress_stage), epoch: Number(r.progress_epoch), step: Number(r.progress_step), totalSteps: Number(r.progress_total_steps), etaSeconds: num(r.progress_eta_seconds) },
    error: r.error_code === '' ? null : { code: r.error_code, message: r.error_message, detail: r.error_detail },
  };
}

function checkPng(dir: string, name: string) {
  const svg = readFileSync(join(dir, `${name}.svg`), 'utf8');
  const [, wPt, hPt] = /width="([\d.]+)pt" height="([\d.]+)pt"/.exec(svg)!.map(Number);
  const png = readPng(readFileSync(join(dir, `${name}.png`)));
  assert.equal(png.width, Math.round((wPt * 300) / 72), `${name}.png width at 300 dpi`);
  assert.ok(Math.abs(png.height - (hPt * 300) / 72) <= 1, `${name}.png height at 300 dpi`);
  const phys = png.chunks.get('pHYs')!;
  assert.equal(new DataView(phys.buffer, phys.byteOffset, 9).getUint32(0), 11811, '300 dpi recorded');
  // Drawn, not blank: a good share of the pixels is not white.
  let ink = 0;
  for (let i = 0; i < png.pixels.length; i += png.channels) if (png.pixels[i] < 200 || png.pixels[i + 1] < 200 || png.pixels[i + 2] < 200) ink++;
  assert.ok(ink > 0.01 * png.width * png.height, `${name}.png has marks (${ink} inked pixels)`);
}

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const tree = (dir: string) => listing(dir).map((l) => (l.endsWith('/') ? l : `${l.split(' ')[0]} ${sha(join(dir, l.split(' ')[0]))}`));

// ---- the tests -----------------------------------------------------------------------------

test('the folder holds the report, three figures as SVG and PNG, points.csv and a config per completed point', () => {
  const r = effconv('export', 'sweep', 'export grid', '--out', join(work, 'json-out'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as ExportSweepResult;
  assert.deepEqual([result.sweepId, result.name, result.status, result.points, result.completed, result.missingConfigs], [grid.id, 'export grid', 'completed', 6, 6, []]);
  const names = result.files.map((f) => f.path.slice(result.out.length + 1));
  assert.deepEqual(names, [
    'accuracy-vs-budget.png', 'accuracy-vs-budget.svg', ...grid.points.map((p) => `configs/point-${p.index}-run-${p.runId}.json`).sort(),
    'pareto.png', 'pareto.svg', 'points.csv', 'report.md', 'sizes-vs-budget.png', 'sizes-vs-budget.svg',
  ]);
  for (const f of result.files) assert.equal(f.sha256, sha(f.path), f.path);
  assert.deepEqual(readdirSync(work).filter((n) => n.startsWith('.')), [], 'no temporary folder left beside it');
});

test('report.md: the grid resolved per backbone, the results table against means, sample stds and paired Δ of the points, the front, the machine and the command', () => {
  const md = readFileSync(join(gridOut, 'report.md'), 'utf8');
  checkTable(grid, md);
  assert.ok(md.includes('| Budgets as written | `30k`, `0.8x` (0.8 × the backbone\'s all-3×3 count) |'));
  const budgetOf = (label: string) => grid.points.find((p) => p.budgetLabel === label)!.budget;
  assert.equal(budgetOf('0.8x'), Math.round(0.8 * 75_002));
  assert.ok(md.includes(`| \`30k\` | 30,000 |\n| \`0.8x\` | ${budgetOf('0.8x').toLocaleString('en-US')} |\n| all 3×3 | 75,002 |\n| reachable (all 1×1 … all 7×7) | 9,466 … 402,682 |\n| searched layers | 6 |`));
  assert.ok(md.includes('| Parallel | 2 points at once'));
  assert.match(md, /mean ± sample standard deviation \(n − 1\)/);
  assert.match(md, /\*\*Δ top-1\*\* is paired by seed/);
  assert.ok(md.includes('All 6 points completed.'));
  const front = grid.points.filter((p) => p.onFront);
  for (const p of front) assert.ok(md.includes(`| ${p.index} | ${p.runId} | resnet8 |`), `front point ${p.index} listed`);
  assert.match(md, /\| Backend \| wasm \(WebAssembly SIMD, 1 thread of \d+ logical cores(, the engine's kernels in their (relaxed-SIMD \(FMA\)|SIMD128) build)?\) \|/);
  assert.ok(md.includes('effconv sweep --dataset mnist --backbone resnet8 --budget 30k,0.8x --seed 1,2 --baseline --search-epochs 1 --train-epochs 1 --batch-size 32 --train-batch-size 32 ' +
    "--limit-train 64 --limit-test 64 --backend wasm --parallel 2 --name 'export grid (repeat)'\n"));
  for (const f of ['pareto.png', 'accuracy-vs-budget.png', 'sizes-vs-budget.png']) assert.ok(md.includes(`](${f})`), f);
});

test('pareto.svg: a mark per completed point (squares for baselines), the front as a step line through the ringed front points', () => {
  const svg = parseSvg(join(gridOut, 'pareto.svg'));
  assert.equal(svg.root, '{http://www.w3.org/2000/svg}svg');
  const points = having(svg.marks, 'point');
  assert.deepEqual(points.map((m) => Number(m.attrs['data-run'])).sort((a, b) => a - b), grid.points.map((p) => p.runId));
  for (const m of points) {
    const p = grid.points.find((q) => q.runId === Number(m.attrs['data-run']))!;
    assert.equal(m.tag, p.kind === 'baseline' ? 'rect' : 'circle');
    assert.ok(m.cls.includes(p.kind));
    assert.deepEqual([Number(m.attrs['data-params']), Number(m.attrs['data-top1']), m.attrs['data-front']], [p.params, p.top1, String(p.onFront)]);
  }
  assert.equal(having(svg.marks, 'front').length, 1);
  // A staircase: every segment level or upright, ending level at the panel's right edge.
  const xy = [...having(svg.marks, 'front')[0].attrs.d.matchAll(/[ML]([\d.]+),([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.ok(xy.length >= 2);
  for (let i = 1; i < xy.length; i++) assert.ok(xy[i][0] === xy[i - 1][0] || xy[i][1] === xy[i - 1][1], `segment ${i} of the front is a step`);
  assert.equal(xy[xy.length - 1][1], xy[xy.length - 2][1]);
  assert.equal(having(svg.marks, 'front-mark').length, grid.points.filter((p) => p.onFront).length);
  assert.deepEqual(having(svg.marks, 'legend-item').map((m) => m.text), ['resnet8', '3×3 baseline', 'Pareto front (points ringed)']);
  checkPng(gridOut, 'pareto');
});

test('accuracy-vs-budget.svg: the mean over seeds per budget, the min–max spread, the baseline dashed at its mean', () => {
  const svg = parseSvg(join(gridOut, 'accuracy-vs-budget.svg'));
  const search = (label: string) => grid.points.filter((p) => p.budgetLabel === label).map((p) => p.top1!);
  const means = having(svg.marks, 'mean-point');
  assert.deepEqual(means.map((m) => m.attrs['data-label']), ['30k', '0.8x']);
  for (const m of means) {
    assert.ok(Math.abs(Number(m.attrs['data-top1']) - mean(search(m.attrs['data-label']))) < 1e-12);
    assert.equal(m.attrs['data-n'], '2');
  }
  const spreads = having(svg.marks, 'spread');
  assert.equal(spreads.length, 3, 'a whisker per budget and one for the baseline');
  for (const w of spreads) {
    const v = grid.points.filter((p) => p.budget === Number(w.attrs['data-budget'])).map((p) => p.top1!);
    assert.deepEqual([Number(w.attrs['data-min']), Number(w.attrs['data-max'])], [Math.min(...v), Math.max(...v)]);
  }
  assert.equal(having(svg.marks, 'spread-band').length, 1);
  assert.equal(having(svg.marks, 'mean-line').length, 1);
  const base = having(svg.marks, 'baseline');
  assert.equal(base.length, 1);
  assert.equal(base[0].attrs['stroke-dasharray'], '4 3');
  assert.ok(Math.abs(Number(base[0].attrs['data-top1']) - mean(grid.points.filter((p) => p.kind === 'baseline').map((p) => p.top1!))) < 1e-12);
  assert.equal(having(svg.marks, 'baseline-point').length, 1);
  checkPng(gridOut, 'accuracy-vs-budget');
});

test('sizes-vs-budget.svg: a cell per layer and budget with the mean learned size over seeds printed in it, and a colour key', () => {
  const svg = parseSvg(join(gridOut, 'sizes-vs-budget.svg'));
  const cells = having(svg.marks, 'cell');
  assert.equal(cells.length, LAYERS.length * 2);
  for (const c of cells) {
    const layer = LAYERS.indexOf(c.attrs['data-layer']);
    const sizes = grid.points.filter((p) => p.kind === 'search' && p.budget === Number(c.attrs['data-budget'])).map((p) => p.sizes![layer]);
    assert.ok(Math.abs(Number(c.attrs['data-size']) - mean(sizes)) < 1e-12, `${c.attrs['data-layer']} at ${c.attrs['data-budget']}`);
    assert.equal(c.attrs['data-n'], '2');
  }
  const labels = having(svg.marks, 'cell-label').map((m) => m.text);
  assert.deepEqual(labels, cells.map((c) => { const v = Number(c.attrs['data-size']); return Number.isInteger(v) ? String(v) : v.toFixed(1); }));
  const key = having(svg.marks, 'key');
  assert.equal(key.length, 1);
  assert.match(key[0].text, /size s\s*1\s*2\s*3\s*4\s*5\s*6\s*7/);
  checkPng(gridOut, 'sizes-vs-budget');
});

test('points.csv, read back by Python\'s csv module, equals sweep show --json field by field', () => {
  const text = readFileSync(join(gridOut, 'points.csv'), 'utf8');
  assert.equal(text.split('\r\n').length, 1 + grid.points.length + 1, 'a header and a CRLF-ended record per point');
  assert.deepEqual(readCsv(join(gridOut, 'points.csv')).map(pointFromCsv), show('export grid').points);
  // The failed points' errors (with their punctuation) survive the quoting too.
  const rows = readCsv(join(partialOut, 'points.csv'));
  assert.deepEqual(rows.map(pointFromCsv), show(String(partial.id)).points);
  assert.ok(rows.filter((r) => r.status === 'failed').every((r) => r.error_code === 'DATASET_MALFORMED' && /train\.u8/.test(r.error_message)));
});

test('every completed point\'s config passes effconv config validate and carries the point\'s sizes', () => {
  for (const p of grid.points) {
    const file = join(gridOut, 'configs', `point-${p.index}-run-${p.runId}.json`);
    const r = effconv('config', 'validate', file, '--json');
    assert.equal(r.code, 0, r.stderr);
    const v = JSON.parse(r.stdout) as ConfigValidation;
    assert.deepEqual([v.valid, v.backbone, v.sizes, v.params], [true, 'resnet8', p.sizes, p.params]);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).weights, undefined, 'portable: no run-folder weights record');
  }
  assert.deepEqual(readdirSync(join(partialOut, 'configs')), partial.points.filter((p) => p.status === 'completed').map((p) => `point-${p.index}-run-${p.runId}.json`));
});

test('a single-seed sweep with failed points: counted and left out of the means, no spread drawn, empty cells where nothing completed', () => {
  const md = readFileSync(join(partialOut, 'report.md'), 'utf8');
  checkTable(partial, md);
  assert.match(md, /Status: \*\*partial\*\*, 2 of 4 points completed\./);
  assert.ok(md.includes('2 of 4 points did not complete; they are listed below and in `points.csv` with their status, and are left out of the means, the figures and `configs/`.'));
  for (const p of partial.points.filter((q) => q.status === 'failed')) assert.match(md, new RegExp(`\\| ${p.index} \\| ${p.runId} \\| resnet8 \\| digits \\| .* \\| 3 \\| failed \\| DATASET_MALFORMED: `));

  const pareto = parseSvg(join(partialOut, 'pareto.svg'));
  assert.deepEqual(having(pareto.marks, 'point').map((m) => Number(m.attrs['data-run'])), partial.points.filter((p) => p.status === 'completed').map((p) => p.runId));
  assert.deepEqual(having(pareto.marks, 'panel').map((m) => [m.attrs['data-dataset'], m.text.includes('no completed point')]), [['mnist', false], ['digits', true]]);

  const acc = parseSvg(join(partialOut, 'accuracy-vs-budget.svg'));
  assert.equal(having(acc.marks, 'spread').length + having(acc.marks, 'spread-band').length, 0, 'one seed: no spread');
  assert.equal(having(acc.marks, 'mean-line').length, 0, 'one budget: no line');
  assert.deepEqual(having(acc.marks, 'mean-point').map((m) => [m.attrs['data-top1'], m.attrs['data-n']]), [[String(partial.points[1].top1), '1']]);
  assert.equal(having(acc.marks, 'baseline').length, 1);

  const sizes = parseSvg(join(partialOut, 'sizes-vs-budget.svg'));
  const full = having(sizes.marks, 'cell').filter((c) => !c.cls.includes('empty'));
  const empty = having(sizes.marks, 'empty');
  assert.deepEqual(full.map((c) => [c.attrs['data-dataset'], Number(c.attrs['data-size'])]), LAYERS.map((_, i) => ['mnist', partial.points[1].sizes![i]]));
  assert.deepEqual(empty.map((c) => [c.attrs['data-dataset'], c.attrs['data-layer']]), LAYERS.map((l) => ['digits', l]), 'the digits network\'s layers, from the library record');
  for (const name of ['pareto', 'accuracy-vs-budget', 'sizes-vs-budget']) checkPng(partialOut, name);
});

test('an existing folder is kept unless --force; --force replaces it whole; without --out it goes to ./<name>-export', () => {
  const before = tree(gridOut);
  writeFileSync(join(gridOut, 'mine.txt'), 'notes');
  const refused = effconv('export', 'sweep', 'export grid', '--out', gridOut);
  assert.equal(refused.code, 2);
  assert.equal(refused.stderr, `effconv: ${gridOut} already exists: choose another --out, or add --force to replace it\n`);
  assert.ok(existsSync(join(gridOut, 'mine.txt')));
  const forced = effconv('export', 'sweep', String(grid.id), '--out', gridOut, '--force');
  assert.equal(forced.code, 0, forced.stderr);
  assert.ok(!existsSync(join(gridOut, 'mine.txt')), 'replaced whole');
  const same = (t: string[]) => t.filter((l) => !l.startsWith('report.md '));
  assert.deepEqual(same(tree(gridOut)), same(before), 'the same files again (report.md carries the date)');
  assert.match(forced.stdout, new RegExp(`^exported sweep ${grid.id} "export grid" \\(completed; 6 of 6 points completed\\) to ${gridOut}\n`));

  const byDefault = effconv('export', 'sweep', 'export grid');
  assert.equal(byDefault.code, 0, byDefault.stderr);
  assert.ok(existsSync(join(work, 'export grid-export', 'report.md')));
  assert.equal(effconv('export', 'sweep', 'nope').stderr, 'effconv: no sweep named or numbered "nope" (effconv sweep list shows them)\n');
  assert.match(effconv('export', 'sweep', 'export grid', '--format', 'onnx').stderr, /--format applies to a run's export/);
  assert.equal(effconv('export', 'sweep').stderr, 'effconv: effconv export sweep needs the sweep\'s name or id (effconv sweep list shows them)\n');
});

test('a write that fails midway leaves no partial folder and the previous export untouched', () => {
  // The PNGs are larger than 40 KiB: with the file-size limit at 40 KiB the first one fails (EFBIG) after the SVG and others were written.
  const limited = (out: string, ...more: string[]) => {
    const r = spawnSync('bash', ['-c', 'ulimit -f 40 && exec "$@"', 'bash', process.execPath, CLI, 'export', 'sweep', 'export grid', '--out', out, ...more], { encoding: 'utf8', env, cwd: work });
    return { code: r.status, stderr: r.stderr };
  };
  const parent = listing(work);
  const fresh = join(work, 'never');
  const r = limited(fresh);
  assert.equal(r.code, 6, 'a storage problem');
  assert.equal(r.stderr, `effconv: cannot write ${fresh}: a file would exceed the largest file this process may write [EFBIG]; nothing was written there: choose another --out or make room\n`);
  assert.deepEqual(listing(work), parent, 'nothing new beside it, no temporary folder');

  const kept = tree(partialOut);
  const again = limited(partialOut, '--force');
  assert.equal(again.code, 6);
  assert.deepEqual(tree(partialOut), kept, 'the earlier export is left as it was');
  assert.deepEqual(listing(work), parent);

  // A file where the parent folder should be.
  const blocked = join(work, 'grid-out', 'report.md', 'x');
  const b = effconv('export', 'sweep', 'export grid', '--out', blocked);
  assert.equal(b.code, 6);
  assert.match(b.stderr, new RegExp(`^effconv: cannot write ${blocked}: a part of the path is a file, not a folder`));
});

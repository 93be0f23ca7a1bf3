// npm run bench -- --fidelity 0,1 [--node electron] [--data DIR] [--limit-train N] [--no-torch] [--json FILE]
// The README's fidelity protocol (full Fashion-MNIST, ResNet-20, budget 0.4M, 1 search epoch at
// batch 64, 2 training epochs at batch 128, crop 2, no flip, wasm) for each seed: the engine
// through `effconv run` on the Node running this, then PyTorch (bench/torch_fidelity.py, the same
// method in PyTorch), one after the other so neither slows the other. One table, both means and
// their difference. About 12 minutes a seed for each side on two cores; --limit-train N cuts
// the training split for a quick check that it all runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEBIAN_FASHION_MNIST } from '../main/data/resolve';
import { TORCH_PYTHON } from './torch-steps';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    fidelity: { type: 'string', default: '0,1' },
    data: { type: 'string', default: DEBIAN_FASHION_MNIST },
    'limit-train': { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
    json: { type: 'string' },
    'runtime-label': { type: 'string', default: 'machine' },
  },
});

interface Side {
  top1: number;
  top5: number | null;
  sizes: number[];
  params: number;
  seconds: number;
}

const seeds = values.fidelity!.split(',').map(Number);
if (seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new Error(`--fidelity takes seeds 0,1,…, got ${values.fidelity}`);
const limit = values['limit-train'] ? ['--limit-train', values['limit-train']] : [];

function lastJson(stdout: string, what: string): Record<string, unknown> {
  const start = stdout.lastIndexOf('\n{') + 1;
  try {
    return JSON.parse(stdout.slice(start)) as Record<string, unknown>;
  } catch {
    throw new Error(`${what} printed no JSON summary:\n${stdout.slice(-2000)}`);
  }
}

function ours(seed: number, home: string): Side {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [
    join(root, 'bin/effconv.js'), 'run', '--backbone', 'resnet20', '--dataset', values.data!, '--budget', '0.4M',
    '--search-epochs', '1', '--train-epochs', '2', '--batch-size', '64', '--train-batch-size', '128', '--crop', '2', '--no-flip',
    '--seed', String(seed), '--backend', 'wasm', '--json', '--quiet', ...limit,
  ], { cwd: root, encoding: 'utf8', env: { ...process.env, EFFCONV_HOME: home }, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`effconv run (seed ${seed}) exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const s = lastJson(r.stdout, 'effconv run');
  return { top1: s.top1 as number, top5: s.top5 as number | null, sizes: s.sizes as number[], params: s.params as number, seconds: (performance.now() - t0) / 1000 };
}

function torch(seed: number): Side {
  const limitArgs = values['limit-train'] ? ['--limit', values['limit-train']] : [];
  const r = spawnSync(TORCH_PYTHON, [join(root, 'bench/torch_fidelity.py'), '--data', values.data!, '--seed', String(seed), ...limitArgs], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`bench/torch_fidelity.py (seed ${seed}) exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const s = lastJson(r.stdout, 'bench/torch_fidelity.py');
  return { top1: s.top1 as number, top5: s.top5 as number, sizes: s.sizes as number[], params: s.params as number, seconds: s.seconds as number };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
const sizesText = (s: number[]) => s.join(' ');

const home = mkdtempSync(join(tmpdir(), 'effconv-fidelity-'));
const rows: { seed: number; ours: Side; torch: Side | null }[] = [];
try {
  for (const seed of seeds) {
    const o = ours(seed, home);
    const t = values['no-torch'] ? null : torch(seed);
    rows.push({ seed, ours: o, torch: t });
    process.stderr.write(`seed ${seed}: ours ${pct(o.top1)} (${Math.round(o.seconds)} s)${t ? `, PyTorch ${pct(t.top1)} (${Math.round(t.seconds)} s)` : ''}\n`);
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}

console.log(`Fidelity: Fashion-MNIST (${values.data}${values['limit-train'] ? `, first ${values['limit-train']} training images` : ''}), ResNet-20, budget 0.4M, ` +
  `1 + 2 epochs; ours on Node ${process.versions.node} (${values['runtime-label']}), wasm`);
for (const r of rows) {
  console.log(`seed ${r.seed}: ours ${pct(r.ours.top1)} (sizes ${sizesText(r.ours.sizes)}, ${r.ours.params} params)` +
    (r.torch ? `; PyTorch ${pct(r.torch.top1)} (sizes ${sizesText(r.torch.sizes)}, ${r.torch.params} params)` : ''));
}
const oursMean = mean(rows.map((r) => r.ours.top1));
const torchRows = rows.filter((r) => r.torch);
const torchMean = torchRows.length ? mean(torchRows.map((r) => r.torch!.top1)) : null;
console.log(`mean top-1: ours ${pct(oursMean)}` + (torchMean !== null ? `, PyTorch ${pct(torchMean)}, ours − PyTorch ${(100 * (oursMean - torchMean)).toFixed(2)} points` : ''));
if (values.json) writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), node: process.versions.node, rows, oursMean, torchMean }, null, 2));
process.exit(0);

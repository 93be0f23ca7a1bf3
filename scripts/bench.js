#!/usr/bin/env node
// npm run bench [-- --node VERSION|electron[,…] --json FILE --backends wasm,cpu --reps N --sizes 3,5,7 --cpu]
// npm run bench -- --fidelity SEEDS [--node …] [--json FILE]: the fidelity protocol instead (bench/fidelity.ts)
// Runs bench/run.ts on this Node, or on each Node named by --node (or EFFCONV_BENCH_NODE):
// `electron` is the Node the installed Electron bundles, `machine` this one; other versions
// are installed from the npm registry into ~/.cache/effconv-studio/node-runtimes (scripts/node-runtime.js).
// One table per runtime; with several runtimes and --json FILE, FILE holds one entry per runtime.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { nodeBinary, nodeRuntimeDir } from './node-runtime.js';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
let runtimes = process.env.EFFCONV_BENCH_NODE ?? 'machine';
const at = args.indexOf('--node');
if (at >= 0) {
  runtimes = args[at + 1] ?? '';
  args.splice(at, 2);
}
const list = runtimes.split(',').filter(Boolean);
const jsonAt = args.indexOf('--json');
const json = jsonAt >= 0 ? args[jsonAt + 1] : null;
const script = args.includes('--fidelity') ? 'bench/fidelity.ts' : 'bench/run.ts';
const results = [];
let status = 0;
for (const [i, spec] of list.entries()) {
  let exe;
  try {
    exe = spec === 'machine' ? process.execPath : nodeBinary(nodeRuntimeDir(spec));
  } catch (e) {
    process.stderr.write(`bench: ${e.message}\n`);
    process.exit(1);
  }
  const own = json && list.length > 1 ? `${json}.${i}.tmp` : json;
  const a = own ? args.map((v, k) => (k === jsonAt + 1 ? own : v)) : args;
  if (i > 0) process.stdout.write('\n');
  const r = spawnSync(exe, ['--import', 'tsx', script, ...a, '--runtime-label', spec], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) status = r.status ?? 1;
  if (own && own !== json && existsSync(own)) {
    results.push(JSON.parse(readFileSync(own, 'utf8')));
    rmSync(own, { force: true });
  }
}
if (json && list.length > 1) writeFileSync(json, JSON.stringify(results, null, 2));
process.exit(status);

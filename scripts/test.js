#!/usr/bin/env node
// npm test: check the system programs the tests call (scripts/prerequisites.js: installed when
// running as root with apt, else named with their install command, and nothing runs), type-check,
// build (the CLI tests run the built command), then every test file under test/ with Node's test
// runner. Ends with the totals on a line of their own.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensurePrerequisites } from './prerequisites.js';

const root = new URL('..', import.meta.url).pathname;
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });
const only = process.argv.slice(2);

const missing = ensurePrerequisites();
if (missing.length > 0) {
  for (const line of missing) process.stdout.write(line + '\n');
  writeFileSync(join(results, 'totals.txt'), '0 passed, 1 failed\n');
  process.stdout.write('\n0 passed, 1 failed\n');
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  return r.status ?? 1;
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (/\.(test|spec)\.ts$/.test(name)) out.push(p);
  }
  return out.sort();
}

let passed = 0;
let failed = 0;
const step = (name, code) => {
  if (code === 0) passed += 1;
  else {
    failed += 1;
    process.stdout.write(`not ok - ${name} (exit ${code})\n`);
  }
};

if (only.length === 0) {
  step('typecheck', run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']));
  step('typecheck renderer', run('npx', ['svelte-check', '--tsconfig', 'renderer/tsconfig.json', '--output', 'human', '--threshold', 'warning']));
  step('build', run('npx', ['electron-vite', 'build', '--logLevel', 'warn']));
}
const files = only.length ? only : findTests(join(root, 'test')).map((f) => relative(root, f));
const tap = join(results, 'tap.txt');
const code = run(process.execPath, [
  // A test that hangs (a worker that never reports, a server that never answers) fails after
  // 15 minutes instead of holding CI until its own limit.
  '--import', 'tsx', '--test', '--test-timeout=900000', '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files,
]);
const text = readFileSync(tap, 'utf8');
const count = (key) => [...text.matchAll(new RegExp(`^# ${key} (\\d+)$`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
passed += count('pass');
failed += count('fail') + count('cancelled');
if (code !== 0 && count('fail') + count('cancelled') === 0) failed += 1; // the runner itself failed
const totals = `${passed} passed, ${failed} failed`;
writeFileSync(join(results, 'totals.txt'), totals + '\n');
process.stdout.write(`\n${totals}\n`);
process.exit(failed === 0 ? 0 : 1);

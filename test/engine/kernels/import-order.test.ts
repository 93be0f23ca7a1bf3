// Every kernel module can be imported first, on its own, in a fresh process: none depends on
// register.ts having finished loading (a kernel file that imported its helpers back from
// register.ts threw "Cannot access 'wasmTile' before initialization" when imported first).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../helpers/data';

const run = promisify(execFile);
const KERNELS = join(REPO_ROOT, 'main/engine/kernels');

function modules(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return modules(p);
    return name.endsWith('.ts') && !name.endsWith('.generated.ts') ? [p] : [];
  });
}

test('each kernel module imports on its own in a fresh process, every export defined', async () => {
  const files = modules(KERNELS);
  assert.ok(files.length >= 15, `found ${files.length} kernel modules`);
  // Each child imports one module and prints its export names with undefined ones marked.
  const script = `const m = await import(process.argv[1]);
    console.log(JSON.stringify(Object.entries(m).filter(([, v]) => v === undefined).map(([k]) => k)));`;
  const failures: string[] = [];
  const queue = [...files];
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const name = relative(REPO_ROOT, f);
      try {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, pathToFileURL(f).href], { cwd: REPO_ROOT });
        const undef = JSON.parse(stdout.trim().split('\n').pop()!) as string[];
        if (undef.length) failures.push(`${name}: undefined exports ${undef.join(', ')}`);
      } catch (e) {
        const err = e as { stderr?: string; message: string };
        failures.push(`${name}: ${(err.stderr ?? err.message).split('\n').find((l) => /Error/.test(l)) ?? err.message}`);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  assert.deepEqual(failures, []);
});

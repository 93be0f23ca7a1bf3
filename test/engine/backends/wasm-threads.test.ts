// The threaded wasm build: the tfjs internals it relies on are still there, it starts in
// Node with the asked thread count and lets the process exit, and a multi-threaded step
// equals the single-threaded one (seeded runs stay reproducible).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkThreadedBuild, threadedBuildFiles } from '../../../main/engine/backends/wasm-threads';
import { REPO_ROOT } from '../../helpers/data';

interface StepsOut {
  device: string;
  threads: number;
  stage1: { loss: number; ce: number; soft: number[] }[];
  stage2: { loss: number; acc: number }[];
  kernels: number[][];
  weights: Record<string, number[]>;
  tensors: number;
}

function runSteps(threads: number): StepsOut {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/engine/backends/train-steps-child.ts')], {
    cwd: REPO_ROOT, env: { ...process.env, EFFCONV_WASM_THREADS: String(threads), STEPS: '3' }, encoding: 'utf8', timeout: 240_000, maxBuffer: 256 << 20,
  });
  assert.equal(r.status, 0, `child with ${threads} thread(s) failed (status ${r.status}, signal ${r.signal}):\n${r.stderr}`);
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  assert.ok(line, `child printed no result:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(line) as StepsOut;
}

function maxRelDiff(a: number[], b: number[]): number {
  assert.equal(a.length, b.length);
  let d = 0;
  let scale = 1e-30;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return d / scale;
}

test('the tfjs internals the threaded start relies on are present', () => {
  assert.doesNotThrow(() => checkThreadedBuild());
});

test('a changed threaded build is refused with the fact that broke', () => {
  const files = threadedBuildFiles();
  const dir = mkdtempSync(join(tmpdir(), 'effconv-threads-'));
  try {
    const glue = join(dir, 'glue.js');
    const text = readFileSync(files.glue, 'utf8');
    writeFileSync(glue, text.replace('"emscripten_num_logical_cores":_emscripten_num_logical_cores', '"cores":_emscripten_num_logical_cores'));
    assert.throws(() => checkThreadedBuild({ ...files, glue }), /emscripten_num_logical_cores/);
    const worker = join(dir, 'worker.js');
    copyFileSync(files.workerModule, worker);
    writeFileSync(worker, readFileSync(worker, 'utf8').replace('typeof e.data.urlOrBlob=="string"', 'e.data.urlOrBlob instanceof String'));
    assert.throws(() => checkThreadedBuild({ ...files, workerModule: worker }), /urlOrBlob/);
    assert.throws(() => checkThreadedBuild({ ...files, wasm: join(dir, 'missing.wasm') }), /missing/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('2 threads give the same steps as 1 thread, and seeded 2-thread runs repeat exactly', () => {
  const one = runSteps(1);
  const two = runSteps(2);
  const again = runSteps(2);
  assert.equal(one.threads, 1);
  assert.equal(two.threads, 2, `asked for 2 threads: ${two.device}`);
  assert.match(two.device, /2 threads/);
  for (let i = 0; i < one.stage1.length; i++) {
    assert.ok(Math.abs(one.stage1[i].loss - two.stage1[i].loss) <= 1e-5 * Math.abs(one.stage1[i].loss), `stage-1 step ${i} loss ${one.stage1[i].loss} vs ${two.stage1[i].loss}`);
    assert.ok(maxRelDiff(two.stage1[i].soft, one.stage1[i].soft) <= 1e-5, `stage-1 step ${i} soft sizes`);
    assert.ok(Math.abs(one.stage2[i].loss - two.stage2[i].loss) <= 1e-5 * Math.abs(one.stage2[i].loss), `stage-2 step ${i} loss`);
  }
  one.kernels.forEach((k, i) => assert.ok(maxRelDiff(two.kernels[i], k) <= 1e-5, `stage-1 kernel ${i} after 3 steps`));
  for (const [name, w] of Object.entries(one.weights)) assert.ok(maxRelDiff(two.weights[name], w) <= 1e-5, `stage-2 ${name} after 3 steps`);
  assert.deepEqual(again, two, 'a seeded 2-thread run repeats exactly');
});

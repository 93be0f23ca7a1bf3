// The sample data set as a new user meets it, through the built CLI (so resources/ is found from
// out/ too): the first command that opens the library adds it, `effconv run` without --dataset
// trains on it, a removal sticks, `dataset add-sample` brings it back.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EffconvConfig } from '../../main/contract/config';
import type { DatasetRecord } from '../../main/data/library';
import { REPO_ROOT } from '../helpers/data';
import { useTempLibrary } from '../helpers/library';

const { home, work } = useTempLibrary('effconv-sample-cli-');

function effconv(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/effconv.js'), ...args], { encoding: 'utf8', env: { ...process.env, EFFCONV_HOME: home }, timeout: 600_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the first command that opens the library adds the sample, once; doctor does not', () => {
  assert.equal(effconv('doctor', '--json').code, 0);
  assert.ok(!existsSync(join(home, 'datasets')), 'doctor does not open the library');
  const first = effconv('dataset', 'list');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /adding the sample data set "mnist-sample" \(MNIST test set, 10,000 handwritten digits: 8,000 train \/ 2,000 test\)/);
  assert.match(first.stdout, /\nmnist-sample\s+idx\s+28×28×1\s+10\s+8,000\s+2,000/);
  const second = effconv('dataset', 'list', '--json');
  assert.equal(second.stderr, '');
  const [d] = JSON.parse(second.stdout) as DatasetRecord[];
  assert.equal(d.source, join(REPO_ROOT, 'resources', 'datasets', 'mnist'), 'read from the repository\'s resources/ by the built CLI');
});

test('effconv run without --dataset trains on the sample', () => {
  const out = join(work, 'run');
  const r = effconv('run', '--backbone', 'resnet8', '--budget', '60k', '--search-epochs', '1', '--train-epochs', '1', '--batch-size', '32',
    '--train-batch-size', '32', '--limit-train', '64', '--limit-test', '64', '--backend', 'wasm', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /no --dataset: using the sample "mnist-sample"/);
  // Before the first step: the estimate from a probe of this ResNet-8 (64 images, batch 32: 2 steps a stage).
  const estimate = /estimate on wasm: stage 1 ≈ \d+ s \(2 steps × \d+ ms\), stage 2 ≈ \d+ s \(2 steps × \d+ ms[^)]*\); total ≈ \d+ s \(from a [\d.]+ s probe\)\n/;
  assert.match(r.stderr, estimate);
  assert.ok(r.stderr.search(estimate) < r.stderr.search(/stage 1: learning kernel sizes/), 'printed before the run starts');
  const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as EffconvConfig;
  const d = JSON.parse(effconv('dataset', 'show', 'mnist-sample', '--json').stdout) as DatasetRecord;
  assert.deepEqual(cfg.dataset, { name: 'mnist-sample', sha256: d.sha256, source: 'mnist-sample', trainImages: 64, testImages: 64 });
});

test('the next run on this machine takes its estimate from the cache (EFFCONV_HOME/step-timings.json)', () => {
  const r = effconv('search', '--backbone', 'resnet8', '--budget', '60k', '--search-epochs', '2', '--batch-size', '32', '--limit-train', '64', '--backend', 'wasm', '--out', join(work, 'search'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /estimate on wasm: stage 1 ≈ \d+ s \(4 steps × \d+ ms\); total ≈ \d+ s \(from this machine's earlier probe\)\n/);
  assert.ok(existsSync(join(home, 'step-timings.json')));
});

test('a removed sample is not added back by itself; dataset add-sample brings it back', () => {
  assert.equal(effconv('dataset', 'remove', 'mnist-sample').code, 0);
  const list = effconv('dataset', 'list');
  assert.match(list.stdout, /the library is empty/);
  assert.doesNotMatch(list.stderr, /adding the sample/);
  const add = effconv('dataset', 'add-sample');
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stderr, /added "mnist-sample"/);
  assert.match(effconv('dataset', 'add-sample').stderr, /the sample is in the library as "mnist-sample"/);
});

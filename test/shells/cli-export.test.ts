// effconv export and effconv config validate as users run them (the built CLI), on real
// Fashion-MNIST runs; and the report's command line, run again, repeating the run exactly.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { EffconvConfig } from '../../main/contract/config';
import { REPO_ROOT, withFashionMnist } from '../helpers/data';

const tmp = mkdtempSync(join(tmpdir(), 'effconv-cli-export-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
await withFashionMnist(join(tmp, 'home')); // the runs' EFFCONV_HOME, with the repository's Fashion-MNIST fixture as "fashion-mnist"

function effconv(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/effconv.js'), ...args], { encoding: 'utf8', timeout: 600_000, cwd: tmp });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const small = ['--backbone', 'resnet8', '--dataset', 'fashion-mnist', '--budget', '60k', '--batch-size', '32', '--train-batch-size', '32',
  '--limit-train', '64', '--limit-test', '64', '--backend', 'wasm', '--seed', '4', '--search-epochs', '1', '--quiet'];
const run = join(tmp, 'run');
const config = () => JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as EffconvConfig;

before(() => {
  const r = effconv('run', ...small, '--train-epochs', '1', '--out', run);
  assert.equal(r.code, 0, r.stderr);
});

test('config validate accepts the run\'s config and checks its weights file', () => {
  const r = effconv('config', 'validate', join(run, 'config.json'));
  assert.equal(r.code, 0, r.stderr);
  const c = config();
  assert.equal(r.stdout, `${join(run, 'config.json')}: valid effconv.config v1 — resnet8, sizes ${c.layers.map((l) => l.kernel).join(' ')}, ` +
    `${c.params.total.toLocaleString('en-US')} parameters; model.safetensors: sha256 and every tensor's shape match\n`);
});

test('config validate rejects a broken channel chain, a size of 9 and a wrong params.total, naming the field', () => {
  const cases: [string, (c: EffconvConfig) => void, RegExp][] = [
    ['chain', (c) => { c.layers[4].in = 64; }, /chain\.json: layers\[4\]\.in: channel chain broken: must be 32 \(the output of the layer before\), got 64/],
    ['nine', (c) => { c.layers[2].kernel = 9; }, /nine\.json: layers\[2\]\.kernel: must be <= 7, got 9/],
    ['total', (c) => { c.params.total = 12345; }, /total\.json: params\.total: is 12345 but these layers have \d+ parameters/],
  ];
  for (const [name, change, message] of cases) {
    const c = config();
    change(c);
    const file = join(tmp, `${name}.json`);
    writeFileSync(file, JSON.stringify(c, null, 2));
    const r = effconv('config', 'validate', file);
    assert.equal(r.code, 2, `${name}: ${r.stdout}`);
    assert.match(r.stderr, message);
  }
  const r = effconv('config', 'check', 'x');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown subcommand "check"; use: effconv config validate FILE/);
});

test('export writes the file, refuses to overwrite it, replaces it with --force', () => {
  const out = join(tmp, 'm.onnx');
  const first = effconv('export', run, '--format', 'onnx', '--out', out);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, new RegExp(`^exported onnx of ${run} \\([\\d,]+ parameters; trained weights: stage 2, 1 epoch \\(2 steps\\), top-1 [\\d.]+%\\)\\n  ${out}  [\\d.]+ KiB\\n$`));
  const again = effconv('export', run, '--format', 'onnx', '--out', out);
  assert.equal(again.code, 2);
  assert.equal(again.stderr, `effconv: ${out} already exists: choose another --out, or add --force to replace it\n`);
  assert.equal(effconv('export', run, '--format', 'onnx', '--out', out, '--force').code, 0);
  const json = effconv('export', run, '--format', 'tfjs', '--json');
  assert.equal(json.code, 0, json.stderr);
  const res = JSON.parse(json.stdout) as { out: string; files: { path: string }[]; trained: boolean };
  assert.equal(res.out, join(tmp, 'run-tfjs'), 'the default output is named after the run, in the current folder');
  assert.deepEqual(res.files.map((f) => f.path), [join(tmp, 'run-tfjs', 'group1-shard1of1.bin'), join(tmp, 'run-tfjs', 'model.json')]);
  const missing = effconv('export', join(tmp, 'no-such-run'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no-such-run: no such run folder or config file/);
});

test('a search-only run exports with fresh weights, and the command says so', () => {
  const s = join(tmp, 'search');
  assert.equal(effconv('search', ...small, '--out', s).code, 0);
  const r = effconv('export', s, '--format', 'pytorch');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /effconv: note: UNTRAINED: a search-only run has no trained weights; these are the fresh He-normal weights stage 2 would start from \(seed 4\): train before use/);
  // Stage 2 from that run's folder (--config takes the folder for its config.json).
  const t = effconv('train', '--config', s, ...small, '--train-epochs', '1', '--out', join(tmp, 'trained'));
  assert.equal(t.code, 0, t.stderr);
  const c = JSON.parse(readFileSync(join(tmp, 'trained', 'config.json'), 'utf8')) as EffconvConfig;
  assert.equal(c.weights!.steps, 2);
});

test('the report\'s command line repeats the run: same sizes, accuracy and weights', () => {
  assert.equal(effconv('export', run, '--format', 'report', '--out', join(tmp, 'report')).code, 0);
  const md = readFileSync(join(tmp, 'report', 'report.md'), 'utf8');
  const command = /```sh\neffconv (run .*)\n```/.exec(md)![1];
  const args = command.split(' ');
  const r = effconv(...args, '--out', join(tmp, 'again'), '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const a = config();
  const b = JSON.parse(readFileSync(join(tmp, 'again', 'config.json'), 'utf8')) as EffconvConfig;
  assert.deepEqual(b.layers, a.layers);
  assert.deepEqual(b.results, a.results);
  assert.equal(b.weights!.sha256, a.weights!.sha256, 'the repeated run trains the same weights bit for bit');
});

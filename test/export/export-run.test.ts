// exportRun as the CLI and GUI call it: sources that are missing, unfinished or damaged are
// refused clearly; outputs appear whole and are not overwritten unless forced; a search-only
// run exports its architecture with fresh weights and every file says so.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { mkdtempSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { exportRun } from '../../main/export/export-run';
import type { EffconvConfig } from '../../main/contract/config';
import { validateConfig } from '../../main/export/config-validate';
import { decodeSafetensors } from '../../main/export/safetensors';
import { PlainModel } from '../../main/engine/train/plain-model';
import { withFashionMnist } from '../helpers/data';
import { fashionRun, pipelineRun, type RunFixture } from './helpers/runs';

const tmp = mkdtempSync(join(tmpdir(), 'effconv-export-'));
await withFashionMnist(join(tmp, 'home')); // the runs name --dataset fashion-mnist: the repository's fixture
let searchOnly: RunFixture;
let trained: RunFixture;

before(async () => {
  searchOnly = await pipelineRun(join(tmp, 'search-only'), 'search');
  trained = await fashionRun(join(tmp, 'trained'), [2, 5, 3, 4, 1, 7]);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const leftovers = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.old'));

test('stage 2 saved model.safetensors with the sha256 and step count its config records', () => {
  const bytes = readFileSync(join(trained.dir, 'model.safetensors'));
  const w = trained.config.weights!;
  assert.deepEqual(w, { file: 'model.safetensors', sha256: createHash('sha256').update(bytes).digest('hex'), format: 'safetensors', layout: 'effconv-nhwc', steps: 3 });
  const file = decodeSafetensors(bytes, 'model.safetensors');
  assert.equal(file.metadata.layout, 'effconv-nhwc');
  // The running statistics moved away from their initial 0 / 1.
  const mean = file.tensors.get('stage1.block1.bn1.running_mean')!.data as Float32Array;
  assert.ok(mean.some((v) => Math.abs(v) > 1e-3), 'BN running mean was updated by training');
  assert.deepEqual(file.tensors.get('stage1.block1.conv1.weight')!.shape, [2, 2, 16, 16]);
  assert.equal(searchOnly.config.weights, null, 'a search-only run records no weights');
});

test('sources that do not exist, are not finished or are not runs get clear errors', async () => {
  await assert.rejects(exportRun(join(tmp, 'nope'), { format: 'onnx' }), { code: 'RUN_NOT_FOUND', message: `${join(tmp, 'nope')}: no such run folder or config file` });
  const running = join(tmp, 'running');
  mkdirSync(running);
  copyFileSync(join(trained.dir, 'metrics.jsonl'), join(running, 'metrics.jsonl'));
  await assert.rejects(exportRun(running, { format: 'onnx' }), { code: 'RUN_NOT_FINISHED', message: /running: the run has not finished \(metrics\.jsonl but no config\.json yet/ });
  const empty = join(tmp, 'empty');
  mkdirSync(empty);
  await assert.rejects(exportRun(empty, { format: 'onnx' }), { code: 'RUN_NOT_FOUND', message: /empty: not a run folder \(no config\.json in it\)/ });
  await assert.rejects(exportRun(trained.dir, { format: 'keras' as 'onnx' }), { code: 'INVALID_ARGUMENT', message: /unknown export format "keras"/ });
});

test('damaged or mismatched weights are refused before anything is written', async () => {
  const damaged = join(tmp, 'damaged');
  cpSync(trained.dir, damaged, { recursive: true });
  const bytes = readFileSync(join(damaged, 'model.safetensors'));
  bytes[bytes.length - 3] ^= 0x40; // one bit of one weight
  writeFileSync(join(damaged, 'model.safetensors'), bytes);
  const out = join(tmp, 'damaged-out');
  await assert.rejects(exportRun(damaged, { format: 'all', out }), { code: 'WEIGHTS_INVALID', message: /model\.safetensors: sha256 [0-9a-f]{64} does not match [0-9a-f]{64} recorded in config\.json/ });
  assert.equal(existsSync(out), false);
  // A user edits a kernel size (and the total) in a trained run's config: the weights no longer fit.
  const edited = join(tmp, 'edited');
  cpSync(trained.dir, edited, { recursive: true });
  const c = JSON.parse(readFileSync(join(edited, 'config.json'), 'utf8')) as EffconvConfig;
  c.layers[0].kernel = 3;
  c.params.total += 16 * 16 * (9 - 4);
  writeFileSync(join(edited, 'config.json'), JSON.stringify(c));
  await assert.rejects(exportRun(edited, { format: 'onnx', out: join(tmp, 'edited.onnx') }), {
    code: 'WEIGHTS_INVALID', message: /stage1\.block1\.conv1\.weight has shape \[2,2,16,16\], the config needs \[3,3,16,16\]/,
  });
});

test('an existing output is kept unless --force; --force replaces it whole', async () => {
  const file = join(tmp, 'out', 'model.onnx');
  const first = await exportRun(trained.dir, { format: 'onnx', out: file });
  assert.deepEqual(first.files.map((f) => f.path), [file]);
  await assert.rejects(exportRun(trained.dir, { format: 'onnx', out: file }), { code: 'OUTPUT_EXISTS', message: `${file} already exists: choose another --out, or add --force to replace it` });
  writeFileSync(file, 'stale');
  await exportRun(trained.dir, { format: 'onnx', out: file, force: true });
  assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), first.files[0].sha256);

  const folder = join(tmp, 'out', 'pytorch');
  await exportRun(trained.dir, { format: 'pytorch', out: folder });
  await assert.rejects(exportRun(trained.dir, { format: 'pytorch', out: folder }), { code: 'OUTPUT_EXISTS' });
  writeFileSync(join(folder, 'stale.txt'), 'from before');
  const again = await exportRun(trained.dir, { format: 'pytorch', out: folder, force: true });
  assert.deepEqual(readdirSync(folder).sort(), ['model.py', 'model.safetensors'], 'the old folder was replaced, not merged');
  assert.deepEqual(again.files.map((f) => f.path), [join(folder, 'model.py'), join(folder, 'model.safetensors')]);
  // An existing folder given for a one-file format receives the file under its usual name.
  const cfg = await exportRun(trained.dir, { format: 'config', out: join(tmp, 'out') });
  assert.equal(cfg.out, join(tmp, 'out', 'config.json'));
  assert.deepEqual(leftovers(join(tmp, 'out')), []);
});

test('a failure while writing leaves neither the output nor temporary files', async () => {
  const bad = join(tmp, 'bad-metrics');
  cpSync(trained.dir, bad, { recursive: true });
  const lines = readFileSync(join(bad, 'metrics.jsonl'), 'utf8').split('\n');
  lines.splice(2, 0, '{"type": "step", "torn');
  writeFileSync(join(bad, 'metrics.jsonl'), lines.join('\n'));
  const out = join(tmp, 'fail', 'all');
  mkdirSync(dirname(out), { recursive: true });
  // config, ONNX, PyTorch and TF.js are written before the report reads the metrics and fails.
  await assert.rejects(exportRun(bad, { format: 'all', out }), { code: 'RUN_STATE', message: /metrics\.jsonl:3: not a JSON line/ });
  assert.equal(existsSync(out), false);
  assert.deepEqual(readdirSync(dirname(out)), []);
  // A torn last line (a killed process) is not an error.
  appendFileSync(join(trained.dir, 'metrics.jsonl'), '{"type":"st');
  await exportRun(trained.dir, { format: 'report', out: join(tmp, 'fail', 'report') });
});

test('a search-only run exports fresh weights and every format says so', async () => {
  const out = join(tmp, 'search-export');
  const r = await exportRun(searchOnly.dir, { format: 'all', out });
  assert.equal(r.trained, false);
  assert.match(r.weightsNote, /^UNTRAINED: a search-only run has no trained weights; these are the fresh He-normal weights stage 2 would start from \(seed 3\)/);
  const py = readFileSync(join(out, 'pytorch', 'model.py'), 'utf8');
  assert.match(py, /^TRAINED = False$/m);
  assert.match(py, /Weights \(model\.safetensors beside this file\): UNTRAINED/);
  assert.equal(decodeSafetensors(readFileSync(join(out, 'pytorch', 'model.safetensors')), 'm').metadata.trained, 'false');
  const tfjs = JSON.parse(readFileSync(join(out, 'tfjs', 'model.json'), 'utf8')) as { userDefinedMetadata: { effconv: { trained: boolean; weights: string } } };
  assert.equal(tfjs.userDefinedMetadata.effconv.trained, false);
  assert.equal(tfjs.userDefinedMetadata.effconv.weights, r.weightsNote);
  const onnx = readFileSync(join(out, 'onnx', 'model.onnx'));
  assert.ok(onnx.includes(Buffer.from('effconv.trained')) && onnx.includes(Buffer.from(r.weightsNote)));
  assert.match(readFileSync(join(out, 'report', 'report.md'), 'utf8'), /\| Weights \| UNTRAINED: a search-only run/);
  // The weights are those stage 2 starts from with the run's seed (in PyTorch's layout here).
  const model = new PlainModel(searchOnly.net, searchOnly.config.layers.map((l) => l.kernel), 3, { lr: 0.1, momentum: 0.9, weightDecay: 0, nesterov: true });
  const start = await model.store.snapshot();
  model.dispose();
  const fc = decodeSafetensors(readFileSync(join(out, 'pytorch', 'model.safetensors')), 'm').tensors.get('fc.bias')!;
  assert.deepEqual(fc.data, start['fc.bias'].data);
});

test('the config export stands alone: valid, without the run folder\'s weights record', async () => {
  const r = await exportRun(trained.dir, { format: 'config', out: join(tmp, 'cfg', 'learned.json') });
  const c = JSON.parse(readFileSync(r.out, 'utf8')) as EffconvConfig;
  assert.equal('weights' in c, false);
  assert.deepEqual(validateConfig(c).sizes, [2, 5, 3, 4, 1, 7]);
  const { weights: _w, ...rest } = trained.config;
  assert.deepEqual(c, rest);
});

test('exporting leaves no tensors behind (fresh weights, the TF.js model)', async () => {
  await exportRun(searchOnly.dir, { format: 'all', out: join(tmp, 'leak-warmup') }); // first use may cache constants
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await exportRun(searchOnly.dir, { format: 'all', out: join(tmp, `leak-${i}`) });
  assert.equal(tf.memory().numTensors, before);
});

test('model.py stays valid Python whatever the run folder is called', async () => {
  const odd = join(tmp, 'run """ with \\ quotes');
  cpSync(searchOnly.dir, odd, { recursive: true });
  const r = await exportRun(odd, { format: 'pytorch', out: join(tmp, 'odd-pytorch') });
  const py = spawnSync('/usr/bin/python3', ['-m', 'py_compile', join(r.out, 'model.py')], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
});

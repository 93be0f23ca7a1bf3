// `config validate`'s checks on a real run's config.json, altered by hand as a user would:
// each wrong config is refused naming the first wrong field and why.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { EffconvConfig } from '../../main/contract/config';
import { fieldName, validateConfig, validateConfigFile } from '../../main/export/config-validate';
import { withFashionMnist } from '../helpers/data';
import { pipelineRun } from './helpers/runs';

const tmp = mkdtempSync(join(tmpdir(), 'effconv-validate-'));
await withFashionMnist(join(tmp, 'home')); // the run names --dataset fashion-mnist: the repository's fixture
let original: EffconvConfig;
const edit = (f: (c: EffconvConfig & Record<string, unknown>) => void) => {
  const c = structuredClone(original) as EffconvConfig & Record<string, unknown>;
  f(c);
  return c;
};

before(async () => {
  await pipelineRun(join(tmp, 'run'), 'search');
  original = JSON.parse(readFileSync(join(tmp, 'run', 'config.json'), 'utf8')) as EffconvConfig;
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('the run\'s own config is valid and describes its sizes', () => {
  const { sizes, config } = validateConfigFile(join(tmp, 'run', 'config.json'));
  assert.deepEqual(sizes, original.layers.map((l) => l.kernel));
  assert.equal(config.params.total, original.params.total);
});

test('a broken channel chain is refused at the layer whose input does not follow', () => {
  const c = edit((c) => { c.layers[3].in = 16; }); // stage2.block1.conv2 takes conv1's 32 channels
  assert.throws(() => validateConfig(c), { code: 'CONFIG_INVALID', message: 'layers[3].in: channel chain broken: must be 32 (the output of the layer before), got 16' });
});

test('a kernel size of 9 is refused by the schema, naming the layer', () => {
  const c = edit((c) => { c.layers[2].kernel = 9; });
  assert.throws(() => validateConfig(c), { code: 'CONFIG_INVALID', message: 'layers[2].kernel: must be <= 7, got 9' });
  assert.throws(() => validateConfig(edit((c) => { c.layers[0].kernel = 0; })), { message: 'layers[0].kernel: must be >= 1, got 0' });
  assert.throws(() => validateConfig(edit((c) => { c.layers[1].kernel = 2.5; })), { message: 'layers[1].kernel: must be integer, got 2.5' });
});

test('a params.total that is not the count is refused with the count', () => {
  const c = edit((c) => { c.params.total += 1; });
  assert.throws(() => validateConfig(c), { code: 'CONFIG_INVALID', message: `params.total: is ${original.params.total + 1} but these layers have ${original.params.total} parameters` });
  // After a size edit the old total is wrong by 16·16·(k² − s²) for the 16→16 layer 0.
  const s = original.layers[0].kernel;
  const k = s === 6 ? 1 : 6;
  const resized = edit((c) => { c.layers[0].kernel = k; });
  assert.throws(() => validateConfig(resized), { message: `params.total: is ${original.params.total} but these layers have ${original.params.total + 256 * (k * k - s * s)} parameters` });
});

test('missing, unknown and mistyped fields are named', () => {
  assert.throws(() => validateConfig(edit((c) => { delete (c.backbone as unknown as Record<string, unknown>).depth; })), { message: 'backbone.depth: is required' });
  assert.throws(() => validateConfig(edit((c) => { (c.layers[4] as unknown as Record<string, unknown>).kernal = 3; })), { message: 'layers[4].kernal: is not a field of effconv.config v1' });
  assert.throws(() => validateConfig(edit((c) => { c.input.channels = 2; })), { message: 'input.channels: must be equal to one of the allowed values [1,3], got 2' });
  assert.throws(() => validateConfig(edit((c) => { c.layers[5].name = 'stage3.block1.conv3'; })), { message: /^layers\[5\]\.name: must match pattern/ });
  assert.throws(() => validateConfig(edit((c) => { c.format = 'effconv.model' as 'effconv.config'; })), { message: 'format: must be equal to constant, got "effconv.model"' });
  assert.throws(() => validateConfig(edit((c) => { c.weights = { file: '../x', sha256: 'a', format: 'safetensors', layout: 'effconv-nhwc', steps: 1 }; })), { message: /^weights\.file: must match pattern/ });
});

test('a file error names the file', () => {
  assert.throws(() => validateConfigFile(join(tmp, 'missing.json')), { code: 'CONFIG_INVALID', message: `${join(tmp, 'missing.json')}: file not found` });
  assert.throws(() => validateConfigFile(join(tmp, 'run', 'metrics.jsonl')), { message: /metrics\.jsonl: not JSON/ });
});

test('JSON pointers become field names', () => {
  assert.equal(fieldName('/layers/2/kernel'), 'layers[2].kernel');
  assert.equal(fieldName('/backbone', 'depth'), 'backbone.depth');
  assert.equal(fieldName(''), '(root)');
  assert.equal(fieldName('', 'format'), 'format');
});

// The effconv command as users run it (the built CLI), on real Fashion-MNIST.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { EffconvConfig } from '../../main/contract/config';
import type { TrainEvent } from '../../main/contract/events';
import { describeNetwork, parseBackbone } from '../../main/engine/models/backbone';
import { countParams } from '../../main/engine/models/params';
import { addFashionMnist, REPO_ROOT } from '../helpers/data';

const tmp = mkdtempSync(join(tmpdir(), 'effconv-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
await addFashionMnist(join(tmp, 'home')); // --dataset fashion-mnist: the repository's fixture

function effconv(...args: string[]) {
  // Runs are recorded in EFFCONV_HOME's database: keep them out of the user's own.
  const env = { ...process.env, EFFCONV_HOME: join(tmp, 'home') };
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/effconv.js'), ...args], { encoding: 'utf8', timeout: 600_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const small = ['--backbone', 'resnet8', '--dataset', 'fashion-mnist', '--batch-size', '32', '--train-batch-size', '32', '--limit-train', '96', '--limit-test', '64', '--backend', 'wasm', '--seed', '3'];

test('doctor --json lists the four backends, each with a reason, and picks one', () => {
  const r = effconv('doctor', '--json');
  assert.equal(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout) as { backends: { name: string; available: boolean; manualOnly?: boolean; reason: string }[]; auto: string };
  assert.deepEqual(d.backends.map((b) => b.name), ['tensorflow', 'webgpu', 'wasm', 'cpu']);
  for (const b of d.backends) assert.ok(b.reason.length > 5, `${b.name} has a reason`);
  const tfNode = d.backends[0];
  if (!tfNode.available) assert.match(tfNode.reason, /tfjs-node-gpu .*; tfjs-node /);
  assert.ok(d.backends.find((b) => b.name === 'cpu')!.available);
  // A software WebGPU adapter is listed as available but only taken when named.
  const soft = d.backends.find((b) => b.manualOnly);
  if (soft) assert.match(soft.reason, /software adapter .*never chosen automatically/);
  assert.equal(d.auto, d.backends.find((b) => b.available && !b.manualOnly)!.name);
  // Dawn's and the Vulkan drivers' own chatter (probed in a child process) stays off the terminal.
  assert.doesNotMatch(r.stderr, /XDG_RUNTIME_DIR|Vulkan|Dawn|BackendType/);
});

test('an unreachable budget is refused with the reachable range, before any training', () => {
  const r = effconv('run', ...small, '--budget', '5k', '--out', join(tmp, 'refused'));
  assert.equal(r.code, 2);
  // ResNet-8 on 28×28×1: p_fixed = 144 + 480 + 650 = 1,274 and Σ c·c = 8,192, so 1×1 gives 9,466 and 7×7 402,682
  assert.match(r.stderr, /budget 5,000 is outside what this backbone can reach: 9,466 \(all 1×1\) … 402,682 \(all 7×7\)/);
});

test('run: both stages write config.json (params.total consistent) and metrics.jsonl; train --config accepts a hand edit', () => {
  const out = join(tmp, 'run');
  const r = effconv('run', ...small, '--budget', '60k', '--search-epochs', '1', '--train-epochs', '1', '--out', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as EffconvConfig;
  assert.equal(cfg.format, 'effconv.config');
  const net = describeNetwork(parseBackbone('resnet8'), { height: 28, width: 28, channels: 1 }, 10);
  assert.equal(cfg.params.total, countParams(net, cfg.layers.map((l) => l.kernel)));
  assert.equal(cfg.params.budget, 60_000);
  assert.equal(cfg.search!.steps, 3);
  assert.equal(cfg.dataset!.name, 'fashion-mnist');
  assert.match(cfg.dataset!.sha256!, /^[0-9a-f]{64}$/);
  assert.ok(cfg.results!.top1! >= 0 && cfg.results!.top1! <= 1);
  const events = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainEvent);
  const steps1 = events.filter((e) => e.type === 'step' && e.stage === 1);
  assert.equal(steps1.length, 3);
  for (const e of steps1) if (e.type === 'step') assert.equal(e.soft!.length, 6);
  assert.equal(events.filter((e) => e.type === 'epoch' && e.stage === 2).length, 1);
  const summary = JSON.parse(r.stdout) as { sizes: number[]; params: number };
  assert.deepEqual(summary.sizes, cfg.layers.map((l) => l.kernel));

  // A user edits one kernel size to 6 (even) and retrains from the config.
  const s0 = cfg.layers[0].kernel;
  cfg.layers[0].kernel = 6;
  const edited = join(tmp, 'edited.json');
  writeFileSync(edited, JSON.stringify(cfg));
  const out2 = join(tmp, 'retrain');
  const t = effconv('train', '--config', edited, ...small, '--train-epochs', '1', '--out', out2);
  assert.equal(t.code, 0, t.stderr);
  const cfg2 = JSON.parse(readFileSync(join(out2, 'config.json'), 'utf8')) as EffconvConfig;
  assert.equal(cfg2.layers[0].kernel, 6);
  assert.equal(cfg2.params.total, countParams(net, cfg2.layers.map((l) => l.kernel)));
  // layer 0 is 16→16: its count changes by 16·16·(6² − s₀²)
  assert.equal(cfg2.params.total, cfg.params.total + 16 * 16 * (36 - s0 * s0));
});

test('train with a config whose kernel is out of range fails naming the field', () => {
  const cfgPath = join(tmp, 'bad.json');
  const cfg = JSON.parse(readFileSync(join(tmp, 'run', 'config.json'), 'utf8')) as EffconvConfig;
  cfg.layers[2].kernel = 9;
  writeFileSync(cfgPath, JSON.stringify(cfg));
  const r = effconv('train', '--config', cfgPath, ...small, '--out', join(tmp, 'bad'));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /layers\[2\]\.kernel: must be <= 7, got 9/);
});

test('train --config refuses a schema-invalid config with the message config validate gives', () => {
  const cfg = JSON.parse(readFileSync(join(tmp, 'run', 'config.json'), 'utf8')) as EffconvConfig & Record<string, unknown>;
  const cases: [string, (c: EffconvConfig & Record<string, unknown>) => void][] = [
    ['kernel', (c) => void (c.layers[1].kernel = 0)],
    ['extra', (c) => void ((c.backbone as unknown as Record<string, unknown>).surprise = true)],
    ['missing', (c) => void delete (c as Partial<EffconvConfig>).backbone],
    ['chain', (c) => void (c.layers[3].in = 3)],
  ];
  for (const [name, change] of cases) {
    const c = structuredClone(cfg);
    change(c);
    const file = join(tmp, `invalid-${name}.json`);
    writeFileSync(file, JSON.stringify(c));
    const validate = effconv('config', 'validate', file);
    const train = effconv('train', '--config', file, ...small, '--out', join(tmp, `invalid-${name}`));
    assert.equal(validate.code, 2, name);
    assert.equal(train.code, 2, name);
    assert.match(validate.stderr, new RegExp(`^effconv: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `), name);
    assert.equal(train.stderr, validate.stderr, `${name}: the same message from both commands`);
  }
});

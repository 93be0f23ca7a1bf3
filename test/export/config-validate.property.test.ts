// A property test for the config checker (`effconv config validate`, `validateConfigFile`):
// a valid learned config (built here for ResNet-8 with mixed sizes, a search record, soft
// sizes) made malformed and adversarial — cut and flipped JSON text, values replaced by
// arrays nested 100,000 deep, huge and tiny numbers, NaN-like strings, wrong types, 1 MB
// strings, objects with thousands of keys, __proto__ / constructor / prototype keys, fields
// removed. The invariant: a valid config, or CONFIG_INVALID naming the file and the field,
// with a short message; never a crash, never a polluted Object.prototype. Seeded.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { EffconvConfig } from '../../main/contract/config';
import { EffconvError } from '../../main/contract/errors';
import { buildConfig } from '../../main/engine/config';
import { describeNetwork } from '../../main/engine/models/backbone';
import { validateConfigFile } from '../../main/export/config-validate';
import { REPO_ROOT } from '../helpers/data';

const SEED = Number(process.env.EFFCONV_PROPERTY_SEED ?? 0xc0f1);
const dir = mkdtempSync(join(tmpdir(), 'effconv-cfgprop-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const net = describeNetwork({ family: 'resnet', depth: 8, widen: 1, widths: [16, 32, 64] }, { height: 32, width: 32, channels: 3 }, 10);
const sizes = [3, 5, 2, 7, 1, 4];
const base: EffconvConfig = buildConfig({
  net, sizes, soft: sizes.map((s) => s - 0.25), budget: 60000, dataset: { name: 'cifar-10', sha256: null },
  search: { hyperparameters: { k: 7, tau: 1, b: 0.5, lambda: 2, spHidden: 16, kpHidden: 16, lrSizePredictor: 0.01, lrKernelPredictor: 0.01, weightDecay: 5e-4, batchSize: 64 }, epochs: 1, steps: 2, seed: 0, backend: 'cpu', secondsPerEpoch: 1 },
});

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Adversarial JSON texts (as text: some cannot be built as values without overflowing the test itself). */
const HOSTILE: [string, string][] = [
  ['an array nested 100,000 deep', '['.repeat(100_000) + '1' + ']'.repeat(100_000)],
  ['an object nested 50,000 deep', '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000)],
  ['1e308', '1e308'], ['-1e308', '-1e308'], ['1e999 (Infinity)', '1e999'], ['-0', '-0'], ['2^53 + 1', '9007199254740993'],
  ['0.5', '0.5'], ['3.0000000001', '3.0000000001'], ['5e-324', '5e-324'],
  ['"NaN"', '"NaN"'], ['"Infinity"', '"Infinity"'], ['"3"', '"3"'], ['""', '""'], ['"\\u0000"', '"\\u0000"'], ['"𝟛"', '"𝟛"'],
  ['null', 'null'], ['true', 'true'], ['[]', '[]'], ['{}', '{}'], ['[3]', '[3]'],
  ['a 1 MB string', JSON.stringify('x'.repeat(1 << 20))],
  ['an object of 20,000 keys', JSON.stringify(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])))],
  ['{"__proto__": {"polluted": 1}}', '{"__proto__":{"polluted":1}}'],
  ['{"constructor": {"prototype": {"polluted": 1}}}', '{"constructor":{"prototype":{"polluted":1}}}'],
];
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', 'x'.repeat(10_000), 'layers[0]', '/layers/0', '~1'];

/** Every path into the base document ([] is the root). */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}
const ALL = paths(base);
const PLACEHOLDER = '\u0001HOSTILE\u0001';

/** The base as JSON text with `json` at `path` (placed by text, so it may be anything). */
function withValue(path: (string | number)[], json: string): string {
  if (path.length === 0) return json;
  const doc = structuredClone(base) as unknown as Record<string | number, unknown>;
  let o = doc;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]] = PLACEHOLDER;
  return JSON.stringify(doc).replace(JSON.stringify(PLACEHOLDER), json);
}

/** The base as JSON text with an extra key in the object at `path`. */
function withKey(path: (string | number)[], key: string, json: string): string {
  const doc = structuredClone(base) as unknown as Record<string | number, unknown>;
  let o = doc;
  for (const k of path) o = o[k] as Record<string | number, unknown>;
  o[PLACEHOLDER] = 0;
  return JSON.stringify(doc).replace(`${JSON.stringify(PLACEHOLDER)}:0`, `${JSON.stringify(key)}:${json}`);
}

function withoutKey(path: (string | number)[]): string {
  const doc = structuredClone(base) as unknown as Record<string | number, unknown>;
  let o = doc;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (Array.isArray(o)) o.splice(last as number, 1);
  else delete o[last];
  return JSON.stringify(doc);
}

interface Case {
  what: string;
  text: string;
}

function cases(random: () => number, n: number): Case[] {
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const text = JSON.stringify(base, null, 2);
  const out: Case[] = [{ what: 'the valid config', text }];
  for (const [what, json] of HOSTILE) out.push({ what: `the root is ${what}`, text: json });
  const objects = ALL.filter((p) => {
    let v: unknown = base;
    for (const k of p) v = (v as Record<string | number, unknown>)[k];
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  });
  while (out.length < n) {
    const r = random();
    if (r < 0.45) {
      const p = pick(ALL.filter((x) => x.length > 0));
      const [what, json] = pick(HOSTILE);
      out.push({ what: `${p.join('.')} = ${what}`, text: withValue(p, json) });
    } else if (r < 0.65) {
      const p = pick(objects);
      const key = pick(HOSTILE_KEYS);
      const [what, json] = pick(HOSTILE);
      out.push({ what: `${p.join('.') || '(root)'} gets key ${JSON.stringify(key.slice(0, 20))} = ${what}`, text: withKey(p, key, json) });
    } else if (r < 0.8) {
      const p = pick(ALL.filter((x) => x.length > 0));
      out.push({ what: `without ${p.join('.')}`, text: withoutKey(p) });
    } else if (r < 0.9) {
      const at = Math.floor(random() * text.length);
      out.push({ what: `the text cut at ${at}`, text: text.slice(0, at) });
    } else {
      const at = Math.floor(random() * text.length);
      const ch = pick(['"', '{', '}', '[', ']', ',', ':', '0', '9', '-', 'e', '.', ' ', '\\', '\u0000', 'é']);
      out.push({ what: `character ${at} replaced by ${JSON.stringify(ch)}`, text: text.slice(0, at) + ch + text.slice(at + 1) });
    }
  }
  return out;
}

test(`config validate on malformed and adversarial JSON: a valid config or CONFIG_INVALID naming the field, never a crash (seed ${SEED})`, () => {
  const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort();
  const outcome = { valid: 0, invalid: 0 };
  const t0 = Date.now();
  let i = 0;
  for (const c of cases(rng(SEED), 400)) {
    const file = join(dir, `config-${i++}.json`);
    writeFileSync(file, c.text);
    try {
      const v = validateConfigFile(file);
      // No hostile value is a kernel size 1…7: a config accepted describes the same network, with the same count.
      assert.deepEqual(v.sizes, sizes, c.what);
      assert.equal(v.config.params.total, base.params.total, c.what);
      assert.deepEqual(v.net, net, c.what);
      outcome.valid += 1;
    } catch (e) {
      assert.ok(e instanceof EffconvError, `${c.what}: not a named error: ${e instanceof Error ? e.stack?.slice(0, 400) : String(e)}`);
      assert.equal(e.code, 'CONFIG_INVALID', `${c.what}: ${e.message}`);
      assert.ok(e.message.startsWith(`${file}: `), `${c.what}: names the file: ${e.message.slice(0, 200)}`);
      const rest = e.message.slice(file.length + 2);
      if (!rest.startsWith('not JSON')) {
        // The field is the error's detail and starts the message: "layers[2].kernel: …".
        assert.ok(e.detail.length > 0 && e.detail.length < 200 && rest.startsWith(`${e.detail}: `), `${c.what}: names the field: ${rest.slice(0, 200)} (detail ${e.detail.slice(0, 80)})`);
      }
      assert.ok(e.message.length < 600, `${c.what}: a short message (${e.message.length} characters)`);
      outcome.invalid += 1;
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined, `${c.what}: Object.prototype polluted`);
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoKeys, c.what);
  }
  assert.ok(outcome.valid >= 1 && outcome.invalid > 300, JSON.stringify(outcome));
  process.stdout.write(`# config validate: ${i} cases, ${outcome.valid} valid, ${outcome.invalid} CONFIG_INVALID, ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
});

test('effconv config validate (the built CLI) on the worst of them: exit 2, the field named, no stack trace', () => {
  for (const [what, text, field] of [
    ['nested 100,000 deep', withValue(['layers'], HOSTILE[0][1]), /layers: must be array|layers: must NOT have fewer than 6 items/],
    ['__proto__ key', withKey([], '__proto__', '{"polluted":1}'), /__proto__: is not a field of effconv\.config v1/],
    ['1 MB string', withValue(['backbone', 'family'], HOSTILE.find((h) => h[0] === 'a 1 MB string')![1]), /backbone\.family: must be equal to one of the allowed values \["resnet","wrn"\], got "x{50,}…/],
  ] as const) {
    const file = join(dir, `cli-${what.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, text);
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'effconv.js'), 'config', 'validate', file], { encoding: 'utf8', env: { ...process.env, EFFCONV_HOME: dir } });
    assert.equal(r.status, 2, `${what}: ${r.stderr}`);
    assert.match(r.stderr, field, what);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, what);
    assert.ok(r.stderr.length < 800, `${what}: ${r.stderr.length} characters on the terminal`);
  }
});

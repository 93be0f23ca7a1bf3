// The engine's native wasm kernels (main/engine/kernels/wasm/native/*.c) against the cpu backend's composed tfjs ops:
// batch norm forward/backward, AdamW and SGD group updates, batched/transposed matMul, and
// the copy-free Identity. Shapes include channel counts that are not multiples of 4 and
// more rows than one summation block.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../main/engine/backends/init';
import { KERNELS_SOURCE_SHA256, KERNELS_WASM_RELAXED, KERNELS_WASM_SIMD128 } from '../../../main/engine/kernels/wasm/native/kernels.generated';
import { sectionIds, withSharedMemory } from '../../../main/engine/kernels/wasm/native/module';
import { batchNormTrain } from '../../../main/engine/nn/batchnorm';
import { Rng } from '../../../main/engine/rng';
import { AdamW } from '../../../main/engine/train/adamw';
import { Sgd } from '../../../main/engine/train/sgd';
import { REPO_ROOT } from '../../helpers/data';
import { assertClose } from '../../helpers/tensors';

type Backend = 'cpu' | 'wasm';
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => object;
}

test('the compiled kernels are built from the C sources in the tree, write no data segment, and load on a plain or shared memory', () => {
  const dir = join(REPO_ROOT, 'main/engine/kernels/wasm/native');
  const hash = createHash('sha256');
  for (const f of readdirSync(dir).filter((n) => /\.(c|h)$/.test(n)).sort()) hash.update(`${f}\0`).update(readFileSync(join(dir, f))).update('\0');
  assert.equal(KERNELS_SOURCE_SHA256, hash.digest('hex'), 'the native sources changed: run node scripts/build-wasm-kernels.js');
  for (const b64 of [KERNELS_WASM_SIMD128, KERNELS_WASM_RELAXED]) {
    const bytes = new Uint8Array(Buffer.from(b64, 'base64'));
    const ids = sectionIds(bytes);
    assert.ok(ids.includes(10), 'has a code section');
    assert.ok(!ids.includes(11), 'no data section');
    // the threaded build's variant: the same bytes but the memory import's limits flag (1 → 3)
    const shared = withSharedMemory(bytes);
    const changed = [...shared.keys()].filter((i) => shared[i] !== bytes[i]);
    assert.deepEqual(changed.map((i) => [bytes[i], shared[i]]), [[1, 3]]);
  }
  // the SIMD128 build loads anywhere, with a plain or a shared memory
  const simd128 = new Uint8Array(Buffer.from(KERNELS_WASM_SIMD128, 'base64'));
  const W = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const memory = (shared: boolean) => new W.Memory({ initial: 2, maximum: 65536, shared });
  new W.Instance(new W.Module(simd128), { env: { memory: memory(false) } });
  new W.Instance(new W.Module(withSharedMemory(simd128)), { env: { memory: memory(true) } });
});

type BnVariant = { relu?: boolean; residual?: boolean };

async function bnOn(backend: Backend, shape: [number, number, number, number], seed: number, v: BnVariant = {}) {
  await initBackend(backend);
  const rng = new Rng(seed);
  const c = shape[3];
  const size = shape.reduce((a, b) => a * b, 1);
  // an offset mean (3) tests the centred variance
  const x = tf.tensor4d(rng.fillNormal(new Float32Array(size), 2).map((e) => e + 3), shape);
  const g = tf.tensor1d(rng.fillNormal(new Float32Array(c), 1));
  const b = tf.tensor1d(rng.fillNormal(new Float32Array(c), 1));
  const r = tf.tensor4d(rng.fillNormal(new Float32Array(size), 1), shape);
  const w = tf.tensor4d(rng.fillNormal(new Float32Array(size), 1), shape);
  const f = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor, rr: tf.Tensor) =>
    batchNormTrain(xx as tf.Tensor4D, gg as tf.Tensor1D, bb as tf.Tensor1D, { relu: v.relu, residual: v.residual ? (rr as tf.Tensor4D) : undefined });
  const { y, stats } = f(x, g, b, r);
  const grads = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor, rr: tf.Tensor) => tf.sum(tf.mul(tf.add(f(xx, gg, bb, rr).y, tf.mul(rr, 0)), w)))([x, g, b, r]);
  const out = {
    y: await y.data(), mean: await stats.mean.data(), variance: await stats.variance.data(),
    dx: await grads[0].data(), dg: await grads[1].data(), db: await grads[2].data(), dr: await grads[3].data(),
  };
  tf.dispose([x, g, b, r, w, y, stats.mean, stats.variance, ...grads]);
  return out;
}

test('batch norm on wasm, alone and with the ReLU and residual add fused in, equals the unfused ops on cpu (forward, statistics, every gradient)', async () => {
  const variants: BnVariant[] = [{}, { relu: true }, { residual: true }, { residual: true, relu: true }];
  for (const shape of [[8, 9, 9, 16], [5, 7, 3, 6], [64, 8, 8, 3], [3, 1, 1, 5]] as [number, number, number, number][]) {
    for (const v of variants) {
      const cpu = await bnOn('cpu', shape, shape[3], v);
      const wasm = await bnOn('wasm', shape, shape[3], v);
      for (const k of Object.keys(cpu) as (keyof typeof cpu)[]) assertClose(wasm[k], cpu[k], 1e-4, `[${shape}] ${JSON.stringify(v)} ${k}`);
      if (v.relu) assert.ok(cpu.y.some((e) => e === 0) && cpu.dx.some((e) => e !== 0), 'the ReLU cuts some values and passes others');
    }
  }
});

async function optimizersOn(backend: Backend) {
  await initBackend(backend);
  const rng = new Rng(11);
  const shapes = [[3, 3, 5, 7], [13], [64, 3], [1]];
  const make = () => shapes.map((s) => tf.variable(tf.tensor(rng.fillNormal(new Float32Array(s.reduce((a, b) => a * b, 1)), 1), s)));
  const pa = make();
  const ps = make();
  const adam = new AdamW(pa, { lr: 0.01, weightDecay: 1e-3 });
  const sgd = new Sgd(ps, { lr: 0.1, momentum: 0.9, weightDecay: 5e-4, nesterov: true });
  for (let step = 0; step < 3; step++) {
    const ga = Object.fromEntries(pa.map((p) => [p.name, tf.tensor(rng.fillNormal(new Float32Array(p.size), 1), p.shape)]));
    // one variable without a gradient: it must stay as it is
    delete ga[pa[1].name];
    const gs = Object.fromEntries(ps.map((p) => [p.name, tf.tensor(rng.fillNormal(new Float32Array(p.size), 1), p.shape)]));
    adam.step(ga);
    sgd.step(gs);
    tf.dispose([...Object.values(ga), ...Object.values(gs)]);
  }
  const out = {
    adam: await Promise.all(pa.map((p) => p.data())), sgd: await Promise.all(ps.map((p) => p.data())),
    adamState: await adam.getState(), sgdState: await sgd.getState(),
  };
  adam.dispose();
  sgd.dispose();
  tf.dispose([...pa, ...ps]);
  return out;
}

test('fused AdamW and SGD on wasm equal the per-op updates on cpu over 3 steps', async () => {
  const cpu = await optimizersOn('cpu');
  const wasm = await optimizersOn('wasm');
  cpu.adam.forEach((p, i) => assertClose(wasm.adam[i] as Float32Array, p as Float32Array, 1e-5, `AdamW parameter ${i}`));
  cpu.sgd.forEach((p, i) => assertClose(wasm.sgd[i] as Float32Array, p as Float32Array, 1e-5, `SGD parameter ${i}`));
  for (const slot of ['m', 'v']) cpu.adamState.slots[slot].forEach((s, i) => assertClose(wasm.adamState.slots[slot][i], s, 1e-5, `AdamW ${slot}[${i}]`));
  cpu.sgdState.slots.buf.forEach((s, i) => assertClose(wasm.sgdState.slots.buf[i], s, 1e-5, `SGD momentum ${i}`));
  assert.equal(wasm.adamState.step, 3);
});

async function matmulsOn(backend: Backend) {
  await initBackend(backend);
  const rng = new Rng(5);
  const results: Float32Array[] = [];
  // shapes of a and b as stored, and the transpose flags
  const cases: [number[], number[], boolean, boolean][] = [
    [[6, 1, 64], [6, 64, 192], false, false], // the kernel predictor's step
    [[6, 1, 192], [6, 64, 192], false, true], // its gradient w.r.t. the state
    [[6, 1, 64], [6, 1, 192], true, false], // and w.r.t. the weights
    [[9, 4096], [64, 4096], false, true], // a head's gradient w.r.t. the hidden states
    [[9, 64], [9, 4096], true, false], // … w.r.t. the head weights
    [[3, 5, 7], [7, 6], false, false], // broadcast B
    [[7, 5], [4, 6, 7], true, true], // broadcast A, both transposed
    [[2, 3, 17, 19], [2, 3, 19, 21], false, false], // odd sizes, batch of 6
  ];
  for (const [sa, sb, ta, tb] of cases) {
    const a = tf.tensor(rng.fillNormal(new Float32Array(sa.reduce((x, y) => x * y, 1)), 1), sa);
    const b = tf.tensor(rng.fillNormal(new Float32Array(sb.reduce((x, y) => x * y, 1)), 1), sb);
    const r = tf.matMul(a, b, ta, tb);
    results.push((await r.data()) as Float32Array);
    tf.dispose([a, b, r]);
  }
  return results;
}

test('batched and transposed matMul on wasm equal the cpu backend', async () => {
  const cpu = await matmulsOn('cpu');
  const wasm = await matmulsOn('wasm');
  cpu.forEach((c, i) => assertClose(wasm[i], c, 1e-5, `matMul case ${i}`));
});

test('Identity on wasm shares the buffer and frees it with the last reference', async () => {
  await initBackend('wasm');
  const before = tf.memory().numBytes;
  const x = tf.tensor1d([1, 2, 3]);
  const y = tf.clone(x);
  x.dispose();
  assert.deepEqual(Array.from(await y.data()), [1, 2, 3]);
  y.dispose();
  assert.equal(tf.memory().numBytes, before);
});

async function subsampleGradOn(backend: Backend) {
  await initBackend(backend);
  const rng = new Rng(8);
  const out: Float32Array[] = [];
  for (const [shape, stride] of [[[4, 8, 8, 6], 2], [[2, 9, 7, 5], 2], [[3, 6, 6, 4], 3]] as [[number, number, number, number], number][]) {
    const x = tf.tensor4d(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 1), shape);
    const y = tf.avgPool(x, 1, stride, 'valid');
    const r = tf.tensor(rng.fillNormal(new Float32Array(y.size), 1), y.shape);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, 1, stride, 'valid'), r)))(x);
    out.push((await g.data()) as Float32Array);
    tf.dispose([x, y, r, g]);
  }
  return out;
}

test('the 1×1 strided average pool’s gradient (option-A shortcuts) on wasm equals the cpu backend', async () => {
  const cpu = await subsampleGradOn('cpu');
  const wasm = await subsampleGradOn('wasm');
  cpu.forEach((c, i) => assert.deepEqual(Array.from(wasm[i]), Array.from(c), `case ${i}`));
});

async function copiesOn(backend: Backend) {
  await initBackend(backend);
  const rng = new Rng(21);
  const t = (shape: number[]) => tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 1), shape);
  const a4 = t([3, 5, 4, 7]);
  const a3 = t([9, 6, 64]);
  const a2 = t([5, 11]);
  const outs: tf.Tensor[] = [
    tf.slice(a4, [1, 2, 0, 3], [2, 3, 4, 4]), tf.slice(a4, [0, 0, 0, 0], [3, 5, 4, 7]), tf.slice(a3, [0, 2, 0], [9, 1, 64]),
    tf.slice(a2, [2, 5], [3, 6]), tf.slice(t([17]), [3], [9]),
    ...tf.split(t([6, 1, 192]), [64, 64, 64], 2), ...tf.split(a4, [1, 3, 3], 3), ...tf.unstack(a3), ...tf.unstack(a4, 2),
    tf.tile(a4, [2, 1, 3, 1]), tf.tile(a2, [1, 3]), tf.tile(t([4]), [5]), tf.broadcastTo(t([3, 1, 1, 7]), [3, 5, 4, 7]),
    tf.broadcastTo(t([1, 7]), [6, 7]),
  ];
  const values = await Promise.all(outs.map((o) => o.data()));
  tf.dispose([a4, a3, a2, ...outs]);
  return values.map((v) => Array.from(v));
}

test('slice, split, unstack, tile and broadcastTo on wasm equal the cpu backend exactly', async () => {
  const cpu = await copiesOn('cpu');
  const wasm = await copiesOn('wasm');
  assert.equal(wasm.length, cpu.length);
  cpu.forEach((c, i) => assert.deepEqual(wasm[i], c, `case ${i}`));
});

test('the Sum and Mean gradients broadcast dy over the reduced axes (no host-made ones)', async () => {
  for (const backend of ['cpu', 'wasm'] as Backend[]) {
    await initBackend(backend);
    const x = tf.tensor4d(Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => i), [2, 3, 2, 2]);
    const r = tf.tensor2d([[1, 2], [3, 4]]); // per (n, c)
    // d/dx Σ mean(x, [1,2])·r = r[n,c]/6 everywhere in image n, channel c; for sum it is r[n,c]
    const gm = await tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.mean(a, [1, 2]), r)))(x).data();
    const gs = await tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.sum(a, [1, 2]), r)))(x).data();
    for (let i = 0; i < x.size; i++) {
      const n = Math.floor(i / 12);
      const c = i % 2;
      assert.ok(Math.abs(gm[i] - (n * 2 + c + 1) / 6) < 1e-6, `${backend} mean grad [${i}] = ${gm[i]}`);
      assert.equal(gs[i], n * 2 + c + 1, `${backend} sum grad [${i}]`);
    }
    tf.dispose([x, r]);
  }
});

// A network's weights on the host, by engine name and in the engine's (tfjs) layouts, and the
// conversions every export needs: which tensors must exist, fresh ones for a search-only
// run, the run folder's model.safetensors, and PyTorch's layouts.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '../engine/tf-setup';
import type { WeightsRecord } from '../contract/config';
import { EffconvError } from '../contract/errors';
import type { NetworkSpec } from '../engine/models/backbone';
import { initFixedParams, initSearchedConvs } from '../engine/models/param-store';
import { Rng } from '../engine/rng';
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from './safetensors';

export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** Engine name → tensor, engine layout (conv [kh,kw,in,out], fc [in,out]). */
export type WeightSet = Map<string, HostTensor>;

export const ENGINE_LAYOUT = 'effconv-nhwc';

/** Every tensor the engine keeps for this network at these sizes, in forward order. */
export function engineTensorSpecs(net: NetworkSpec, sizes: readonly number[]): { name: string; shape: number[] }[] {
  const specs = net.fixed.map((p) => ({ name: p.name, shape: p.shape.slice() }));
  net.layers.forEach((l, i) => specs.push({ name: `${l.name}.weight`, shape: [sizes[i], sizes[i], l.in, l.out] }));
  for (const bn of net.batchNorms) {
    specs.push({ name: `${bn.name}.running_mean`, shape: [bn.channels] }, { name: `${bn.name}.running_var`, shape: [bn.channels] });
  }
  return specs;
}

/** The weights stage 2 starts from with this seed (He-normal convs and FC, BN at γ=1, β=0). */
export async function freshWeights(net: NetworkSpec, sizes: readonly number[], seed: number): Promise<WeightSet> {
  await tf.ready();
  const rng = new Rng(seed);
  const store = initFixedParams(net, rng.fork());
  try {
    initSearchedConvs(net, sizes, rng.fork(), store);
    return new Map(Object.entries(await store.snapshot()));
  } finally {
    store.dispose();
  }
}

/** Check that a weight set holds exactly the network's tensors with the right shapes. */
export function checkWeightSet(w: WeightSet, net: NetworkSpec, sizes: readonly number[], file: string): void {
  const specs = engineTensorSpecs(net, sizes);
  for (const s of specs) {
    const t = w.get(s.name);
    if (!t) throw new EffconvError('WEIGHTS_INVALID', `${file}: tensor ${s.name} is missing`, file);
    if (t.shape.join(',') !== s.shape.join(',')) {
      throw new EffconvError('WEIGHTS_INVALID', `${file}: ${s.name} has shape [${t.shape}], the config needs [${s.shape}] (were the kernel sizes edited after training?)`, file);
    }
    if (!t.data.every(Number.isFinite)) throw new EffconvError('WEIGHTS_INVALID', `${file}: ${s.name} holds NaN or infinite values (training diverged)`, file);
  }
  if (w.size !== specs.length) {
    const known = new Set(specs.map((s) => s.name));
    const extra = [...w.keys()].find((k) => !known.has(k));
    throw new EffconvError('WEIGHTS_INVALID', `${file}: tensor ${extra} does not belong to this network`, file);
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** model.safetensors in the engine layout, as stage 2 saves it. */
export function encodeEngineWeights(w: WeightSet, steps: number): Uint8Array {
  const tensors: [string, SafeTensor][] = [...w].map(([name, t]) => [name, { dtype: 'F32', shape: t.shape, data: t.data }]);
  return encodeSafetensors(tensors, { format: 'effconv.weights', layout: ENGINE_LAYOUT, steps: String(steps) });
}

/** Read a run's weights, checking the file against the sha256 its config recorded. */
export function readEngineWeights(path: string, record: WeightsRecord, net: NetworkSpec, sizes: readonly number[]): WeightSet {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new EffconvError('WEIGHTS_INVALID', `${path}: cannot read the run's weights (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, path);
  }
  const digest = sha256Hex(bytes);
  if (digest !== record.sha256) {
    throw new EffconvError('WEIGHTS_INVALID', `${path}: sha256 ${digest} does not match ${record.sha256} recorded in config.json (the file was changed or damaged)`, path);
  }
  const { tensors, metadata } = decodeSafetensors(bytes, path);
  if (metadata.layout !== ENGINE_LAYOUT) throw new EffconvError('WEIGHTS_INVALID', `${path}: layout "${metadata.layout}" is not ${ENGINE_LAYOUT}`, path);
  const w: WeightSet = new Map();
  for (const [name, t] of tensors) {
    if (t.dtype !== 'F32') throw new EffconvError('WEIGHTS_INVALID', `${path}: ${name} is ${t.dtype}, expected F32`, path);
    w.set(name, { shape: t.shape, data: t.data });
  }
  checkWeightSet(w, net, sizes, path);
  return w;
}

/** [kh,kw,in,out] → [out,in,kh,kw] (PyTorch and ONNX's OIHW). */
export function filterToOihw(t: HostTensor): HostTensor {
  const [kh, kw, ci, co] = t.shape;
  const out = new Float32Array(t.data.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < ci; i++) {
        const src = ((y * kw + x) * ci + i) * co;
        for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = t.data[src + o];
      }
    }
  }
  return { shape: [co, ci, kh, kw], data: out };
}

/** [in,out] → [out,in] (nn.Linear, ONNX Gemm with transB). */
export function transpose2d(t: HostTensor): HostTensor {
  const [r, c] = t.shape;
  const out = new Float32Array(t.data.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = t.data[i * c + j];
  return { shape: [c, r], data: out };
}

/** The same tensors with PyTorch's names (unchanged) and layouts. */
export function toTorchLayout(w: WeightSet): WeightSet {
  const out: WeightSet = new Map();
  for (const [name, t] of w) {
    if (t.shape.length === 4) out.set(name, filterToOihw(t));
    else if (name === 'fc.weight') out.set(name, transpose2d(t));
    else out.set(name, t);
  }
  return out;
}

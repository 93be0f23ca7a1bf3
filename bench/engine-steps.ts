// ms per stage-1 and stage-2 step (ResNet-20, 3×32×32 CIFAR-10 images, batch 64) on each
// backend, at the baseline sizes (3×3) and with every searched conv at 5×5 and 7×7, each repetition
// of ours followed by one of PyTorch's (interleaved, so both see the same machine load).
import * as tf from '@tensorflow/tfjs-core';
import { benchBatches } from './data';
import type { ImageSet } from '../main/data/image-set';
import { doctor, initBackend } from '../main/engine/backends/init';
import type { BackendName } from '../main/engine/backends/probe';
import { DEFAULT_SEARCH_HYPERPARAMETERS, SearchModel } from '../main/engine/effconv/search-model';
import { describeNetwork, parseBackbone } from '../main/engine/models/backbone';
import { PlainModel } from '../main/engine/train/plain-model';
import type { TorchSteps } from './torch-steps';

export interface StepTiming {
  backend: string;
  device: string;
  case: string;
  stage: 1 | 2;
  sizes: number;
  medianMs: number;
  torchMs: number | null;
  /** ours / PyTorch */
  ratio: number | null;
  reps: number;
  /** wasm heap bytes after the timed steps (bounded growth), where the backend has one. */
  heapBytes?: number;
}

export function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Make the size predictor output v = s for every layer (head weights 0, bias at σ⁻¹(s)); at
 * the top of σ's range (v → 2k + 1 = 7 only as x → ∞) v = 6.9, whose hard size is 7 too.
 * bench/torch_steps.py pins the same values.
 */
export function forceSearchSizes(model: SearchModel, s: number): void {
  const { k, tau, b } = model.hyper;
  const v = Math.min(s, 2 * k + 1 - 0.1);
  const x = tau * (Math.atanh((v - k - 1) / k) - b);
  tf.tidy(() => {
    model.sp.headW.assign(tf.zerosLike(model.sp.headW));
    model.sp.headB.assign(tf.fill(model.sp.headB.shape, x));
  });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Warm both up, then alternate one repetition of ours with one of theirs. */
async function interleave(ours: () => Promise<unknown>, theirs: (() => Promise<number>) | null, reps: number, warmup: number): Promise<{ ours: number; theirs: number | null }> {
  for (let i = 0; i < warmup; i++) {
    await ours();
    if (theirs) await theirs();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < reps; i++) {
    a.push(await timed(ours));
    if (theirs) b.push(await theirs());
  }
  return { ours: median(a), theirs: theirs ? median(b) : null };
}

function wasmHeapBytes(): number | undefined {
  const b = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return b.wasm?.HEAPU8?.buffer.byteLength;
}

export async function benchEngineSteps(data: ImageSet, backends: BackendName[], reps: number, torch: TorchSteps | null, sizes = [3, 5, 7], batchSize = 64): Promise<StepTiming[]> {
  const batches = benchBatches(data, batchSize);
  const net = describeNetwork(parseBackbone('resnet20'), { height: 32, width: 32, channels: 3 }, 10);
  const out: StepTiming[] = [];
  for (const backend of backends) {
    const { device } = await initBackend(backend);
    const slow = backend === 'cpu';
    const n = slow ? 1 : reps;
    const warm = slow ? 1 : 2;
    for (const size of sizes) {
      const search = new SearchModel(net, 400_000, DEFAULT_SEARCH_HYPERPARAMETERS, 0);
      forceSearchSizes(search, size);
      let i = 0;
      // The step updates the predictor; keep the sizes pinned so every rep runs the same shapes.
      const s1 = await interleave(async () => {
        await search.step(batches[i++ % batches.length]);
        forceSearchSizes(search, size);
        await search.refreshSizes();
      }, torch ? () => torch.step(1, size) : null, n, warm);
      search.dispose();
      out.push(row(backend, device, 1, size, s1, n));
      const plain = new PlainModel(net, net.layers.map(() => size), 0, { lr: 0.1, momentum: 0.9, weightDecay: 5e-4, nesterov: true });
      let j = 0;
      const s2 = await interleave(() => plain.step(batches[j++ % batches.length], 0.1), torch ? () => torch.step(2, size) : null, n, warm);
      plain.dispose();
      out.push(row(backend, device, 2, size, s2, n));
    }
  }
  return out;
}

function row(backend: string, device: string, stage: 1 | 2, size: number, t: { ours: number; theirs: number | null }, reps: number): StepTiming {
  return {
    backend, device, stage, sizes: size, case: `stage-${stage} step, all ${size}×${size}`, medianMs: t.ours, torchMs: t.theirs,
    ratio: t.theirs ? t.ours / t.theirs : null, reps, heapBytes: wasmHeapBytes(),
  };
}

export async function availableBackends(includeCpu: boolean): Promise<BackendName[]> {
  const d = await doctor();
  return d.backends.filter((b) => b.available && !b.manualOnly && (includeCpu || b.name !== 'cpu')).map((b) => b.name);
}

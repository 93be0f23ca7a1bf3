// Real runs to export: a few stage-2 steps on wasm (so weights and BN running statistics are
// not their initial values) on real Fashion-MNIST (1 channel) and real CIFAR-10 (3 channels),
// with mixed odd and even learned sizes, written as run folders the way a run writes them.
// Runs through the pipeline name "fashion-mnist": the test file calls withFashionMnist().
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { executeRun } from '../../../main/api/run/pipeline';
import { RunOutputs } from '../../../main/api/run/run-outputs';
import { machineRecord } from '../../../main/api/run/machine';
import type { EffconvConfig } from '../../../main/contract/config';
import { DEFAULT_RUN_OPTIONS } from '../../../main/contract/run';
import { channelStats, limitSplit, MemorySplit, type ImageSet } from '../../../main/data/image-set';
import { parseCifarRecords } from '../../../main/data/importers/cifar-binary';
import { EvalSampler, TrainSampler } from '../../../main/data/sampler';
import { initBackend } from '../../../main/engine/backends/init';
import { buildConfig } from '../../../main/engine/config';
import { describeNetwork, parseBackbone, type NetworkSpec } from '../../../main/engine/models/backbone';
import { PlainModel } from '../../../main/engine/train/plain-model';
import { runTrain } from '../../../main/engine/train/run-train';
import { decodeSafetensors } from '../../../main/export/safetensors';
import { fashionMnist, fixture } from '../../helpers/data';

export const IMAGES = 32;

let cifar: ImageSet | null = null;

/** The lossless CIFAR-10 fixture: data_batch_1's first 250 records to train, test_batch's 100 to test. */
export function cifar10(): ImageSet {
  if (cifar) return cifar;
  const read = (f: string) => {
    const path = fixture('cifar10', 'bin-subset', f);
    return parseCifarRecords(gunzipSync(readFileSync(path)), path, 1, 10);
  };
  const tr = read('data_batch_1.bin.gz');
  const te = read('test_batch.bin.gz');
  const train = new MemorySplit(tr.pixels, tr.labels, 3072);
  const test = new MemorySplit(te.pixels, te.labels, 3072);
  const hash = createHash('sha256');
  for (const p of [tr.pixels, tr.labels, te.pixels, te.labels]) hash.update(p);
  const stats = channelStats(train, 3);
  cifar = {
    name: 'cifar10-subset', height: 32, width: 32, channels: 3, classes: 10,
    classNames: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
    mean: stats.mean, std: stats.std, flipSafe: true, sha256: hash.digest('hex'), train, test,
  };
  return cifar;
}

/** The first 32 test images, normalised as the engine evaluates them, NHWC. */
export async function testImages(data: ImageSet): Promise<Float32Array> {
  for await (const b of new EvalSampler(data, limitSplit(data.test, IMAGES)).batches(IMAGES)) return b.x;
  throw new Error('no test images');
}

export interface RunFixture {
  dir: string;
  data: ImageSet;
  config: EffconvConfig;
  net: NetworkSpec;
}

/** Stage 2 from a config with these sizes, through the real pipeline (executeRun), on Fashion-MNIST. */
export async function fashionRun(dir: string, sizes: number[], seed = 5): Promise<RunFixture> {
  const data = fashionMnist();
  const net = describeNetwork(parseBackbone('resnet8'), { height: 28, width: 28, channels: 1 }, 10);
  const out = new RunOutputs(dir);
  try {
    const r = await executeRun({
      ...DEFAULT_RUN_OPTIONS, dataset: 'fashion-mnist', stages: 'train', config: buildConfig({ net, sizes, budget: null, search: null, dataset: null }),
      searchEpochs: 0, trainEpochs: 1, trainBatchSize: 32, limitTrain: 96, limitTest: 64, backend: 'wasm', seed,
    }, { onEvent: (e) => out.write(e) }, {}, out);
    out.writeConfig(r.config);
    return { dir, data, config: r.config, net };
  } finally {
    out.close();
  }
}

/**
 * The same on the CIFAR-10 subset. The pipeline opens datasets by name or idx folder only, so
 * this drives the engine's stage-2 loop directly and writes the folder as the pipeline does.
 */
export async function cifarRun(dir: string, backbone: string, sizes: number[], seed = 7): Promise<RunFixture> {
  const backend = await initBackend('wasm');
  const data = cifar10();
  const net = describeNetwork(parseBackbone(backbone), { height: 32, width: 32, channels: 3 }, 10);
  const out = new RunOutputs(dir);
  try {
    const train = limitSplit(data.train, 96);
    const test = limitSplit(data.test, 64);
    const augment = { crop: 4, flip: true };
    const batches = new TrainSampler(data, train, 32, seed + 1, augment);
    let weights = null;
    const r = await runTrain(
      { net, sizes, epochs: 1, seed, lr: 0.1, momentum: 0.9, weightDecay: 5e-4, backend: backend.name },
      batches, new EvalSampler(data, test), { onEvent: (e) => out.write(e) },
      { finished: async (m) => void (weights = await out.writeWeights(m.store, batches.batchesPerEpoch)) },
    );
    const config: EffconvConfig = {
      ...buildConfig({
        net, sizes, budget: null, search: null,
        train: { epochs: 1, batchSize: 32, lr: 0.1, momentum: 0.9, weightDecay: 5e-4, seed, backend: backend.name, secondsPerEpoch: r.secondsPerEpoch, augment },
        dataset: { name: data.name, sha256: data.sha256, trainImages: 96, testImages: 64 },
        results: { top1: r.top1, top5: r.top5 },
      }),
      normalization: { mean: data.mean, std: data.std },
      weights,
      machine: machineRecord(backend.device),
    };
    out.writeConfig(config);
    return { dir, data, config, net };
  } finally {
    out.close();
  }
}

/** The engine's eval-mode softmax on `x` with the weights the run folder holds. */
export async function engineProbabilities(run: RunFixture, x: Float32Array, n = IMAGES): Promise<Float32Array> {
  await initBackend('wasm');
  const sizes = run.config.layers.map((l) => l.kernel);
  const model = new PlainModel(run.net, sizes, 0, { lr: 0.1, momentum: 0.9, weightDecay: 0, nesterov: true });
  try {
    const file = decodeSafetensors(readFileSync(join(run.dir, 'model.safetensors')), 'model.safetensors');
    const values: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [name, t] of file.tensors) values[name] = { shape: t.shape, data: t.data as Float32Array };
    model.store.restore(values);
    const { height, width, channels } = run.net.input;
    const probs = tf.tidy(() => tf.softmax(model.logits(tf.tensor4d(x, [n, height, width, channels]), false)));
    const out = (await probs.data()) as Float32Array;
    probs.dispose();
    return out;
  } finally {
    model.dispose();
  }
}

/** NHWC → NCHW, for PyTorch and ONNX. */
export function toNchw(x: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < n; i++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let k = 0; k < c; k++) {
    out[((i * c + k) * h + y) * w + xx] = x[((i * h + y) * w + xx) * c + k];
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A real run through the pipeline on Fashion-MNIST: a 2-step search, then (stages 'both') 2 stage-2 steps. */
export async function pipelineRun(dir: string, stages: 'search' | 'both', seed = 3): Promise<RunFixture> {
  const out = new RunOutputs(dir);
  try {
    const r = await executeRun({
      ...DEFAULT_RUN_OPTIONS, backbone: 'resnet8', dataset: 'fashion-mnist', budget: '60k', stages, searchEpochs: 1, trainEpochs: stages === 'both' ? 1 : 0,
      batchSize: 32, trainBatchSize: 32, limitTrain: 64, limitTest: 64, backend: 'wasm', seed,
    }, { onEvent: (e) => out.write(e) }, {}, out);
    out.writeConfig(r.config);
    const net = describeNetwork(parseBackbone('resnet8'), { height: 28, width: 28, channels: 1 }, 10);
    return { dir, data: fashionMnist(), config: r.config, net };
  } finally {
    out.close();
  }
}

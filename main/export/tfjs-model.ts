// TF.js export: a Keras-style layers model (model.json + weight shards) that
// tf.loadLayersModel reads in a browser or in Node. The model is built with tfjs-layers itself
// and serialised by its own save path, so the topology is what tfjs writes and reads.
// Input NHWC float32 [batch, H, W, C] (normalised); output class probabilities [batch, classes].
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomic-write';
import type { BlockSpec } from '../engine/models/backbone';
import { BN_EPS, BN_MOMENTUM } from '../engine/nn/batchnorm';
import { walkFeatures, type LayerOps } from './network-walk';
import { portableConfig, PRODUCER, PRODUCER_VERSION } from './producer';
import type { ExportSource } from './run-source';
import type { WeightSet } from './weights';

/** tfjs's converter splits weights into 4 MiB shards; browsers cache and fetch them in parallel. */
const SHARD_BYTES = 4 * 1024 * 1024;

type Sym = tf.SymbolicTensor;

class ModelBuilder implements LayerOps<Sym> {
  /** Layer → engine tensors in the order layer.setWeights takes them. */
  readonly assignments: [tf.layers.Layer, string[]][] = [];

  constructor(private readonly weights: WeightSet) {}

  private apply(layer: tf.layers.Layer, x: Sym | Sym[], tensors: string[] = []): Sym {
    if (tensors.length) this.assignments.push([layer, tensors]);
    return layer.apply(x) as Sym;
  }

  /**
   * The engine pads (k−1)//2 before and k//2 after at any stride. At stride 1 that is exactly
   * tfjs's 'same'; at stride 2 'same' would put the odd row after, so the pad is explicit.
   */
  conv(x: Sym, layer: string, stride: number): Sym {
    const w = this.weights.get(`${layer}.weight`)!;
    const [k, , , filters] = w.shape;
    let input = x;
    let padding: 'same' | 'valid' = k === 1 ? 'valid' : 'same';
    if (stride > 1 && k > 1) {
      const b = (k - 1) >> 1;
      const a = k >> 1;
      input = this.apply(tf.layers.zeroPadding2d({ name: `${layer}.pad`, padding: [[b, a], [b, a]] }), x);
      padding = 'valid';
    }
    const conv = tf.layers.conv2d({ name: layer, filters, kernelSize: k, strides: stride, padding, useBias: false });
    return this.apply(conv, input, [`${layer}.weight`]);
  }

  bn(x: Sym, name: string): Sym {
    // Keras momentum is the weight of the old running value: 1 − PyTorch's momentum.
    const layer = tf.layers.batchNormalization({ name, axis: -1, epsilon: BN_EPS, momentum: 1 - BN_MOMENTUM });
    return this.apply(layer, x, ['weight', 'bias', 'running_mean', 'running_var'].map((p) => `${name}.${p}`));
  }

  dense(x: Sym, name: string, units: number): Sym {
    return this.apply(tf.layers.dense({ name, units }), x, [`${name}.weight`, `${name}.bias`]);
  }

  relu(x: Sym, name: string): Sym {
    return this.apply(tf.layers.activation({ name, activation: 'relu' }), x);
  }

  add(a: Sym, b: Sym, name: string): Sym {
    return this.apply(tf.layers.add({ name }), [a, b]);
  }

  /**
   * Option A without parameters: a 1×1 average pool with the block's stride subsamples;
   * channels are zero-padded by moving them into a spatial position (Permute), padding
   * there (ZeroPadding2D), and moving them back.
   */
  optionA(x: Sym, b: BlockSpec): Sym {
    let y = x;
    const p = `${b.name}.shortcut`;
    if (b.stride > 1) y = this.apply(tf.layers.averagePooling2d({ name: `${p}.subsample`, poolSize: 1, strides: b.stride, padding: 'valid' }), y);
    const extra = b.out - b.in;
    if (extra === 0) return y;
    const before = extra >> 1;
    y = this.apply(tf.layers.permute({ name: `${p}.to_hcw`, dims: [1, 3, 2] }), y);
    y = this.apply(tf.layers.zeroPadding2d({ name: `${p}.pad_channels`, padding: [[0, 0], [before, extra - before]] }), y);
    return this.apply(tf.layers.permute({ name: `${p}.to_hwc`, dims: [1, 3, 2] }), y);
  }
}

function buildModel(src: ExportSource, m: ModelBuilder): tf.LayersModel {
  const { net } = src;
  const input = tf.input({ name: 'input', shape: [net.input.height, net.input.width, net.input.channels] });
  let h = walkFeatures(net, input, m);
  h = (tf.layers.globalAveragePooling2d({ name: 'pool' }) as tf.layers.Layer).apply(h) as Sym;
  h = m.dense(h, 'fc', net.classes);
  const probs = tf.layers.activation({ name: 'probabilities', activation: 'softmax' }).apply(h) as Sym;
  return tf.model({ name: `effconv_${net.backbone.family}${net.backbone.depth}`, inputs: input, outputs: probs });
}

function concatWeightData(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const parts = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), at);
    at += p.byteLength;
  }
  return out;
}

/** The serialised model: model.json's object and the weight shards by file name. */
export async function tfjsArtifacts(src: ExportSource): Promise<{ modelJson: object; shards: [string, Uint8Array][] }> {
  await tf.ready();
  const builder = new ModelBuilder(src.weights);
  const model = buildModel(src, builder);
  try {
    for (const [layer, names] of builder.assignments) {
      const values = names.map((n) => {
        const t = src.weights.get(n)!;
        return tf.tensor(t.data, t.shape, 'float32');
      });
      layer.setWeights(values);
      tf.dispose(values);
    }
    model.setUserDefinedMetadata({
      effconv: {
        trained: src.trained,
        weights: src.weightsNote,
        input: 'NHWC float32, x = (pixel/255 - mean[c]) / std[c]',
        output: 'class probabilities (softmax of the logits of layer "fc")',
        normalization: src.config.normalization ?? null,
        config: portableConfig(src.config),
      },
    });
    let artifacts: tf.io.ModelArtifacts | null = null;
    await model.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const a = artifacts as unknown as tf.io.ModelArtifacts;
    const data = concatWeightData(a.weightData as ArrayBuffer | ArrayBuffer[]);
    const count = Math.max(1, Math.ceil(data.length / SHARD_BYTES));
    const shards: [string, Uint8Array][] = [];
    for (let i = 0; i < count; i++) shards.push([`group1-shard${i + 1}of${count}.bin`, data.subarray(i * SHARD_BYTES, (i + 1) * SHARD_BYTES)]);
    const modelJson = {
      format: 'layers-model',
      generatedBy: a.generatedBy,
      convertedBy: `${PRODUCER} ${PRODUCER_VERSION}`,
      modelTopology: a.modelTopology,
      weightsManifest: [{ paths: shards.map(([n]) => n), weights: a.weightSpecs }],
      userDefinedMetadata: a.userDefinedMetadata,
    };
    return { modelJson, shards };
  } finally {
    model.dispose();
  }
}

export async function writeTfjs(src: ExportSource, dir: string): Promise<void> {
  const { modelJson, shards } = await tfjsArtifacts(src);
  for (const [name, data] of shards) writeFileAtomic(join(dir, name), data);
  writeFileAtomic(join(dir, 'model.json'), JSON.stringify(modelJson));
}

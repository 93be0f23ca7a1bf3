// Named tf.Variables for a network: trainable parameters plus BN running statistics.
// Names follow the config's layer names (stem.conv.weight, stage1.block1.bn1.weight, fc.bias…)
// so exports and checkpoints can use them as they are.
import * as tf from '@tensorflow/tfjs-core';
import { makeVariable } from '../nn/variables';
import type { Rng } from '../rng';
import type { NetworkSpec } from './backbone';

export class ParamStore {
  readonly trainable = new Map<string, tf.Variable>();
  readonly buffers = new Map<string, tf.Variable>();

  get(name: string): tf.Variable {
    const v = this.trainable.get(name) ?? this.buffers.get(name);
    if (!v) throw new Error(`parameter ${name} does not exist`);
    return v;
  }

  has(name: string): boolean {
    return this.trainable.has(name) || this.buffers.has(name);
  }

  addTrainable(name: string, value: tf.Tensor): tf.Variable {
    if (this.has(name)) throw new Error(`parameter ${name} defined twice`);
    const v = makeVariable(name, value, true);
    this.trainable.set(name, v);
    return v;
  }

  addBuffer(name: string, value: tf.Tensor): tf.Variable {
    if (this.has(name)) throw new Error(`parameter ${name} defined twice`);
    const v = makeVariable(name, value, false);
    this.buffers.set(name, v);
    return v;
  }

  trainableCount(): number {
    let n = 0;
    for (const v of this.trainable.values()) n += v.size;
    return n;
  }

  /** Every tensor (trainable and buffers) as host arrays, for checkpoints and exports. */
  async snapshot(): Promise<Record<string, { shape: number[]; data: Float32Array }>> {
    const out: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [name, v] of [...this.trainable, ...this.buffers]) {
      out[name] = { shape: v.shape.slice(), data: (await v.data()) as Float32Array };
    }
    return out;
  }

  restore(values: Record<string, { shape: number[]; data: Float32Array }>): void {
    for (const [name, v] of [...this.trainable, ...this.buffers]) {
      const src = values[name];
      if (!src) throw new Error(`checkpoint has no value for ${name}`);
      if (src.shape.join(',') !== v.shape.join(',')) throw new Error(`checkpoint shape of ${name} is [${src.shape}], expected [${v.shape}]`);
      tf.tidy(() => v.assign(tf.tensor(src.data, v.shape)));
    }
  }

  dispose(): void {
    for (const v of this.trainable.values()) v.dispose();
    for (const v of this.buffers.values()) v.dispose();
    this.trainable.clear();
    this.buffers.clear();
  }
}

/** He (Kaiming) normal for a conv/linear weight with the given fan-in. */
export function heNormal(rng: Rng, shape: number[], fanIn: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.fillNormal(new Float32Array(size), Math.sqrt(2 / fanIn)), shape);
}

/** PyTorch's default Linear/GRU initialisation: U(−1/√fan, 1/√fan). */
export function uniformFan(rng: Rng, shape: number[], fan: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const bound = 1 / Math.sqrt(fan);
  return tf.tensor(rng.fillUniform(new Float32Array(size), -bound, bound), shape);
}

/** The fixed (non-searched) parameters of a network, freshly initialised, plus BN buffers. */
export function initFixedParams(net: NetworkSpec, rng: Rng): ParamStore {
  const store = new ParamStore();
  for (const p of net.fixed) {
    if (p.name.endsWith('.weight') && p.shape.length === 4) {
      const [kh, kw, cin] = p.shape;
      store.addTrainable(p.name, heNormal(rng, p.shape, kh * kw * cin));
    } else if (p.name === 'fc.weight') {
      store.addTrainable(p.name, heNormal(rng, p.shape, p.shape[0]));
    } else if (p.name === 'fc.bias') {
      store.addTrainable(p.name, uniformFan(rng, p.shape, net.fixed.find((q) => q.name === 'fc.weight')!.shape[0]));
    } else if (p.name.endsWith('.weight')) {
      store.addTrainable(p.name, tf.ones(p.shape)); // BN γ
    } else {
      store.addTrainable(p.name, tf.zeros(p.shape)); // BN β
    }
  }
  for (const bn of net.batchNorms) {
    store.addBuffer(`${bn.name}.running_mean`, tf.zeros([bn.channels]));
    store.addBuffer(`${bn.name}.running_var`, tf.ones([bn.channels]));
  }
  return store;
}

/** Fresh He-normal weights for the searched convs at the given sizes (stage 2). */
export function initSearchedConvs(net: NetworkSpec, sizes: readonly number[], rng: Rng, store: ParamStore): void {
  net.layers.forEach((l, i) => {
    const s = sizes[i];
    store.addTrainable(`${l.name}.weight`, heNormal(rng, [s, s, l.in, l.out], s * s * l.in));
  });
}

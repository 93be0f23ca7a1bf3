// A compact picture of learned kernels for the UI and reports: for every searched layer,
// the mean |w| over input and output channels at each position of its s×s kernel.
import * as tf from '@tensorflow/tfjs-core';

export interface KernelMap {
  name: string;
  size: number;
  /** Row-major s×s values. */
  values: number[];
}

export async function kernelMaps(names: string[], kernels: tf.Tensor4D[]): Promise<KernelMap[]> {
  const maps = tf.tidy(() => kernels.map((w) => tf.mean(tf.abs(w), [2, 3])));
  const out: KernelMap[] = [];
  for (let i = 0; i < maps.length; i++) {
    const values = Array.from(await maps[i].data(), (v) => Math.round(v * 1e6) / 1e6);
    out.push({ name: names[i], size: kernels[i].shape[0], values });
  }
  tf.dispose(maps);
  return out;
}

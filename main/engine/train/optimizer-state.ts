// Optimizer slots as host arrays, for checkpoints.
import * as tf from '@tensorflow/tfjs-core';

export interface OptimizerState {
  kind: 'adamw' | 'sgd';
  step: number;
  slots: Record<string, Float32Array[]>;
}

export async function exportSlots(vars: tf.Variable[]): Promise<Float32Array[]> {
  return Promise.all(vars.map(async (v) => (await v.data()) as Float32Array));
}

export function importSlots(vars: tf.Variable[], data: Float32Array[]): void {
  if (data.length !== vars.length) throw new Error(`optimizer state has ${data.length} slots, expected ${vars.length}`);
  vars.forEach((v, i) => {
    if (data[i].length !== v.size) throw new Error(`optimizer slot ${i} has ${data[i].length} values, expected ${v.size}`);
    tf.tidy(() => v.assign(tf.tensor(data[i], v.shape)));
  });
}

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

/**
 * One fused optimizer kernel over every variable that has a gradient: inputs p0, g0, then each
 * slot as `${slotName}0`, …; outputs the new p and each slot per variable, in that order.
 */
export function runFusedUpdate(
  kernel: string,
  vars: tf.Variable[],
  grads: Record<string, tf.Tensor>,
  slots: Record<string, tf.Variable[]>,
  attrs: Record<string, number | boolean>,
): void {
  const inputs: tf.NamedTensorMap = {};
  const updated: number[] = [];
  const names = Object.keys(slots);
  vars.forEach((p, i) => {
    const g = grads[p.name];
    if (!g) return;
    const k = updated.length;
    inputs[`p${k}`] = p;
    inputs[`g${k}`] = g;
    for (const s of names) inputs[`${s}${k}`] = slots[s][i];
    updated.push(i);
  });
  if (updated.length === 0) return;
  const per = 1 + names.length;
  const out = tf.engine().runKernel(kernel, inputs, { ...attrs, count: updated.length } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  updated.forEach((i, k) => {
    vars[i].assign(out[per * k]);
    names.forEach((s, j) => slots[s][i].assign(out[per * k + 1 + j]));
  });
  tf.dispose(out);
}

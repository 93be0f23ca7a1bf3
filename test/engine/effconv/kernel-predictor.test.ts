import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../main/engine/backends/init';
import { KernelPredictor } from '../../../main/engine/effconv/kernel-predictor';
import { describeNetwork, parseBackbone } from '../../../main/engine/models/backbone';
import { Rng } from '../../../main/engine/rng';
import { assertClose } from '../../helpers/tensors';

/** The per-layer, per-time-step form of METHOD.md, written out gate by gate. */
function naiveKernels(kp: KernelPredictor, sizes: number[]): tf.Tensor[] {
  const h = kp.hidden;
  return sizes.map((s, l) => {
    const z = tf.reshape(tf.slice(kp.z, [l, 0, 0], [1, 1, -1]), [1, -1]);
    const wIh = tf.reshape(tf.slice(kp.wIh, [l, 0, 0], [1, -1, -1]), [-1, 3 * h]);
    const wHh = tf.reshape(tf.slice(kp.wHh, [l, 0, 0], [1, -1, -1]), [-1, 3 * h]);
    const bIh = tf.reshape(tf.slice(kp.bIh, [l, 0, 0], [1, 1, -1]), [1, 3 * h]);
    const bHh = tf.reshape(tf.slice(kp.bHh, [l, 0, 0], [1, 1, -1]), [1, 3 * h]);
    const gate = (w: tf.Tensor, k: number) => tf.slice(w, [0, k * h], [-1, h]);
    let state: tf.Tensor = tf.zeros([1, h]);
    const rows: tf.Tensor[] = [];
    for (let t = 0; t < s * s; t++) {
      const r = tf.sigmoid(tf.add(tf.add(tf.matMul(z, gate(wIh, 0)), gate(bIh, 0)), tf.add(tf.matMul(state, gate(wHh, 0)), gate(bHh, 0))));
      const u = tf.sigmoid(tf.add(tf.add(tf.matMul(z, gate(wIh, 1)), gate(bIh, 1)), tf.add(tf.matMul(state, gate(wHh, 1)), gate(bHh, 1))));
      const n = tf.tanh(tf.add(tf.add(tf.matMul(z, gate(wIh, 2)), gate(bIh, 2)), tf.mul(r, tf.add(tf.matMul(state, gate(wHh, 2)), gate(bHh, 2)))));
      state = tf.add(tf.mul(tf.sub(1, u), n), tf.mul(u, state));
      rows.push(tf.add(tf.matMul(state, kp.headW[l]), kp.headB[l]));
    }
    const { in: cin, out: cout } = kp.shapes[l];
    return tf.reshape(tf.concat(rows, 0), [s, s, cin, cout]);
  });
}

test('the batched kernel predictor equals the naive per-layer, per-step GRUs (mixed odd and even sizes)', async () => {
  await initBackend('cpu');
  const net = describeNetwork(parseBackbone('resnet8'), { height: 32, width: 32, channels: 3 }, 10);
  const kp = new KernelPredictor(net, 16, new Rng(7));
  const sizes = [1, 4, 3, 2, 7, 5];
  const fast = tf.tidy(() => kp.forward(sizes));
  const slow = tf.tidy(() => naiveKernels(kp, sizes));
  for (let l = 0; l < sizes.length; l++) {
    assert.deepEqual(fast[l].shape, [sizes[l], sizes[l], net.layers[l].in, net.layers[l].out]);
    assertClose(await fast[l].data(), await slow[l].data(), 1e-5, `layer ${l} (s=${sizes[l]})`);
  }
  tf.dispose([...fast, ...slow]);
  kp.dispose();
});

test('one batched GRU step creates the same handful of tensors for ResNet-8 and ResNet-56', async () => {
  await initBackend('cpu');
  const created = (kp: KernelPredictor, steps: number) => {
    let n = 0;
    tf.tidy(() => {
      const start = tf.memory().numTensors;
      kp.hiddenStates(steps);
      n = tf.memory().numTensors - start;
    });
    return n;
  };
  const perStep = (depth: string) => {
    const net = describeNetwork(parseBackbone(depth), { height: 32, width: 32, channels: 3 }, 10);
    const kp = new KernelPredictor(net, 8, new Rng(1));
    const n = created(kp, 9) - created(kp, 8);
    kp.dispose();
    return n;
  };
  const shallow = perStep('resnet8');
  assert.equal(perStep('resnet56'), shallow, 'tensors per GRU step must not depend on depth');
  assert.ok(shallow <= 20, `a step creates ${shallow} tensors`);
});

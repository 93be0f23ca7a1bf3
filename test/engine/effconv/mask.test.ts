import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../main/engine/backends/init';
import { gaussianMask, gaussianMaskValues } from '../../../main/engine/effconv/mask';
import { assertAllClose } from '../../helpers/tensors';

test('the mask at v = s is symmetric about the kernel centre and peaks there', async () => {
  await initBackend('cpu');
  for (const s of [1, 2, 3, 4, 5, 6, 7]) {
    const m = tf.tidy(() => gaussianMask(tf.scalar(s), s));
    const a = (await m.array()) as number[][];
    m.dispose();
    for (let i = 0; i < s; i++) {
      for (let j = 0; j < s; j++) {
        assert.ok(Math.abs(a[i][j] - a[s - 1 - i][j]) < 1e-6, `s=${s} vertical symmetry`);
        assert.ok(Math.abs(a[i][j] - a[i][s - 1 - j]) < 1e-6, `s=${s} horizontal symmetry`);
        assert.ok(Math.abs(a[i][j] - a[j][i]) < 1e-6, `s=${s} transpose symmetry`);
      }
    }
    const centre = (s - 1) >> 1;
    assert.equal(Math.max(...a.flat()), a[centre][centre], `s=${s}: the peak is at the centre`);
  }
});

test('mask values equal exp(−((i−½−v/2)² + (j−½−v/2)²)/v²), checked by hand for v = 3', async () => {
  await initBackend('cpu');
  // v = 3, c = 1.5: pixel centres 0.5, 1.5, 2.5 → offsets −1, 0, 1.
  // corner: exp(−2/9) = 0.800737, edge: exp(−1/9) = 0.894839, centre: exp(0) = 1
  const byHand = [0.800737, 0.894839, 0.800737, 0.894839, 1, 0.894839, 0.800737, 0.894839, 0.800737];
  const m = tf.tidy(() => gaussianMask(tf.scalar(3), 3));
  assertAllClose(await m.data(), byHand, 1e-6, 'mask(v=3)');
  assertAllClose(gaussianMaskValues(3, 3).flat(), byHand, 1e-6, 'host mask(v=3)');
  m.dispose();
  // v = 3.4 with s = 3: c = 1.7, offsets −1.2, −0.2, 0.8 → asymmetric, m(1,1) = exp(−2.88/11.56)
  const m2 = tf.tidy(() => gaussianMask(tf.scalar(3.4), 3));
  const d = await m2.data();
  m2.dispose();
  assert.ok(Math.abs(d[0] - Math.exp(-2.88 / 11.56)) < 1e-6);
  assertAllClose(d, gaussianMaskValues(3.4, 3).flat(), 1e-6, 'mask(v=3.4)');
});

test('d(Σ mask)/dv matches central finite differences', async () => {
  await initBackend('cpu');
  for (const [v, s] of [[2.7, 3], [4.4, 4], [6.2, 6]] as const) {
    const g = tf.grad((x: tf.Tensor) => tf.sum(gaussianMask(x, s)));
    const analytic = (await g(tf.scalar(v)).data())[0];
    const f = (x: number) => gaussianMaskValues(x, s).flat().reduce((a, b) => a + b, 0);
    const h = 1e-3;
    const numeric = (f(v + h) - f(v - h)) / (2 * h);
    assert.ok(Math.abs(analytic - numeric) < 1e-3 * Math.max(1, Math.abs(numeric)), `v=${v}: ${analytic} vs ${numeric}`);
  }
});

test('kernel maps average |w| over channels per position (hand example)', async () => {
  await initBackend('cpu');
  const { kernelMaps } = await import('../../../main/engine/models/kernel-maps');
  // 2×2 kernel, 1 input, 2 output channels: position (0,0) has weights 1 and −3 → mean |w| = 2
  const w = tf.tensor4d([1, -3, 0.5, 0.5, -2, 0, 4, -4], [2, 2, 1, 2]);
  const [m] = await kernelMaps(['stage1.block1.conv1'], [w]);
  assert.deepEqual(m, { name: 'stage1.block1.conv1', size: 2, values: [2, 0.5, 1, 4] });
  w.dispose();
});

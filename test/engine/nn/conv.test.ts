import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../main/engine/backends/init';
import { conv2dSame, sameOutputSize, samePadding } from '../../../main/engine/nn/conv';

test("'same' padding puts (s−1)//2 before and s//2 after, for every stride", () => {
  assert.deepEqual(samePadding(3, 3)[1], [1, 1]);
  assert.deepEqual(samePadding(4, 4)[1], [1, 2]);
  assert.deepEqual(samePadding(2, 2)[1], [0, 1]);
  assert.deepEqual(samePadding(7, 7)[1], [3, 3]);
  for (const s of [1, 2, 3, 4, 5, 6, 7]) {
    assert.equal(sameOutputSize(32, s, 1), 32);
    assert.equal(sameOutputSize(32, s, 2), 16);
    assert.equal(sameOutputSize(7, s, 2), 4);
  }
});

test('a 2×2 all-ones kernel sums x[i..i+1, j..j+1] with the extra zero row/column after', async () => {
  await initBackend('cpu');
  // x = 1..9 as a 3×3 image
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
  const w = tf.ones([2, 2, 1, 1]) as tf.Tensor4D;
  const y = await conv2dSame(x, w, 1).data();
  // row 0: 1+2+4+5=12, 2+3+5+6=16, 3+6=9; row 1: 4+5+7+8=24, 5+6+8+9=28, 6+9=15; row 2: 7+8=15, 8+9=17, 9
  assert.deepEqual(Array.from(y), [12, 16, 9, 24, 28, 15, 15, 17, 9]);
  // stride 2 keeps rows/cols 0 and 2: [12, 9, 15, 9]
  assert.deepEqual(Array.from(await conv2dSame(x, w, 2).data()), [12, 9, 15, 9]);
  // a 4×4 kernel on the 3×3 image pads 1 before and 2 after: centre output = sum of all = 45
  const y4 = await conv2dSame(x, tf.ones([4, 4, 1, 1]) as tf.Tensor4D, 1).data();
  assert.equal(y4[4], 45);
  assert.equal(y4[0], 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9);
  assert.equal(y4[8], 5 + 6 + 8 + 9);
});

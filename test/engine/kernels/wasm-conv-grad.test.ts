import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../main/engine/backends/init';
import { conv2dSame } from '../../../main/engine/nn/conv';
import { Rng } from '../../../main/engine/rng';
import { assertClose } from '../../helpers/tensors';

interface Case {
  k: number;
  stride: number;
  h: number;
  cin: number;
  cout: number;
}

async function gradsOn(backend: 'cpu' | 'wasm', c: Case, seed: number): Promise<{ y: Float32Array; dx: Float32Array; dw: Float32Array }> {
  await initBackend(backend);
  const rng = new Rng(seed);
  const n = 3;
  const x = tf.tensor4d(rng.fillNormal(new Float32Array(n * c.h * c.h * c.cin), 1), [n, c.h, c.h, c.cin]);
  const w = tf.tensor4d(rng.fillNormal(new Float32Array(c.k * c.k * c.cin * c.cout), 0.3), [c.k, c.k, c.cin, c.cout]);
  const y = conv2dSame(x, w, c.stride);
  const r = tf.tensor(rng.fillNormal(new Float32Array(y.size), 1), y.shape);
  const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv2dSame(a as tf.Tensor4D, b as tf.Tensor4D, c.stride), r)))([x, w]);
  const out = { y: (await y.data()) as Float32Array, dx: (await dx.data()) as Float32Array, dw: (await dw.data()) as Float32Array };
  tf.dispose([x, w, y, r, dx, dw]);
  return out;
}

test('wasm conv gradients equal the cpu backend’s (1e-4 relative) for sizes 1…7, strides 1 and 2', async () => {
  let seed = 0;
  for (const stride of [1, 2]) {
    for (const k of [1, 2, 3, 4, 5, 6, 7]) {
      // odd and even images; channel counts that hit the native kernels' 4×16 tiles and their edges
      for (const [h, cin, cout] of [[9, 5, 6], [8, 5, 6], [8, 8, 20], [7, 16, 32]]) {
        const c = { k, stride, h, cin, cout };
        const cpu = await gradsOn('cpu', c, ++seed);
        const wasm = await gradsOn('wasm', c, seed);
        const what = `k=${k} stride=${stride} h=${h} ${cin}→${cout}`;
        assertClose(wasm.y, cpu.y, 1e-4, `${what} forward`);
        assertClose(wasm.dx, cpu.dx, 1e-4, `${what} dx`);
        assertClose(wasm.dw, cpu.dw, 1e-4, `${what} dw`);
      }
    }
  }
});

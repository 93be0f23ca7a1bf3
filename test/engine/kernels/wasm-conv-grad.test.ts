// The wasm conv kernels (forward, input gradient, filter gradient) against the cpu backend for
// sizes 1…7 and strides 1 and 2 with the engine's 'same' padding ((k−1)//2 before, k//2 after:
// asymmetric for even sizes), on both routes (the native kernels and XNNPACK) and both native
// builds: the one this runtime loads here, the other in a child process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../main/engine/backends/init';
import { kernelBuild } from '../../../main/engine/kernels/wasm/native/module';
import { conv2dSame } from '../../../main/engine/nn/conv';
import { Rng } from '../../../main/engine/rng';
import { REPO_ROOT } from '../../helpers/data';
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

async function compareAll(route: string): Promise<void> {
  let seed = 0;
  for (const stride of [1, 2]) {
    for (const k of [1, 2, 3, 4, 5, 6, 7]) {
      // odd and even images; channel counts on and off the native kernels' 4×8 tiles
      for (const [h, cin, cout] of [[9, 5, 6], [8, 5, 6], [8, 8, 20], [7, 16, 32], [5, 3, 16]]) {
        const c = { k, stride, h, cin, cout };
        const cpu = await gradsOn('cpu', c, ++seed);
        const wasm = await gradsOn('wasm', c, seed);
        const what = `${route}, k=${k} stride=${stride} h=${h} ${cin}→${cout}`;
        assertClose(wasm.y, cpu.y, 1e-4, `${what} forward`);
        assertClose(wasm.dx, cpu.dx, 1e-4, `${what} dx`);
        assertClose(wasm.dw, cpu.dw, 1e-4, `${what} dw`);
      }
    }
  }
}

test(`wasm conv kernels equal the cpu backend’s (1e-4 relative) for sizes 1…7, strides 1 and 2: native (${kernelBuild().name} build) and XNNPACK routes`, async () => {
  const saved = process.env.EFFCONV_NATIVE_CONV;
  try {
    for (const [route, env] of [['native', '1'], ['XNNPACK', '0']]) {
      process.env.EFFCONV_NATIVE_CONV = env;
      await compareAll(route);
    }
  } finally {
    if (saved === undefined) delete process.env.EFFCONV_NATIVE_CONV;
    else process.env.EFFCONV_NATIVE_CONV = saved;
  }
});

// The child runs the test above with the SIMD128 build; on a runtime without relaxed SIMD the
// test above already ran it, and the relaxed build cannot load.
const child = process.env.EFFCONV_CONV_TEST_CHILD === '1';
const other = kernelBuild().name === 'relaxed-simd' ? 'simd128' : null;
test('the other native build passes the same comparison (child process)', {
  skip: child ? 'this is the child' : other ? false : `Node ${process.versions.node} does not validate relaxed SIMD, so only the SIMD128 build can run here (Node ≥ 22 runs both)`,
}, () => {
  const env: NodeJS.ProcessEnv = { ...process.env, EFFCONV_WASM_KERNELS: other!, EFFCONV_CONV_TEST_CHILD: '1' };
  delete env.NODE_TEST_CONTEXT; // else the child reports to this runner in its binary protocol
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', fileURLToPath(import.meta.url)], {
    cwd: REPO_ROOT, encoding: 'utf8', env, timeout: 600_000,
  });
  assert.equal(r.status, 0, `the ${other} build failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
  assert.match(r.stdout, new RegExp(`native \\(${other} build\\)`), 'the child ran the comparison on the other build');
});

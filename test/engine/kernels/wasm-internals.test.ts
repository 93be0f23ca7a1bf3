// The start-time check of the tfjs-backend-wasm internals the engine's kernels use: it passes
// on the installed tfjs and names the internal when one is taken away.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend } from '@tensorflow/tfjs-core';
import { initBackend } from '../../../main/engine/backends/init';
import { checkWasmInternals } from '../../../main/engine/kernels/wasm/internals';

test('the wasm internals the kernels use are present, and a missing one is named', async () => {
  await initBackend('wasm');
  const real = tf.backend() as unknown as Record<string, unknown>;
  checkWasmInternals();
  const without = (key: string, value: unknown) => new Proxy(real, { get: (t, k) => (k === key ? value : Reflect.get(t, k, t)) }) as unknown as KernelBackend;
  assert.throws(() => checkWasmInternals(without('makeOutput', undefined)), /tfjs-backend-wasm changed an internal .*makeOutput/);
  assert.throws(() => checkWasmInternals(without('wasm', { _malloc: () => 0 })), /wasmMemory/);
  assert.throws(() => checkWasmInternals(without('dataIdMap', { get: () => ({ offset: 8 }) })), /memoryOffset/);
});

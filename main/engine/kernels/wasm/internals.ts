// The tfjs-backend-wasm internals the engine's kernels rely on, checked once when the backend
// starts (init.ts) so a tfjs release that changes one fails there, naming it, instead of in
// the middle of a step. test/engine/kernels/wasm-internals.test.ts runs it on the real backend
// and on backends with one internal taken away.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend } from '@tensorflow/tfjs-core';

const PKG = '@tensorflow/tfjs-backend-wasm';

/** Each internal, with how to tell it is still there. */
const FACTS: [string, (b: Record<string, unknown>, t: tf.Tensor) => boolean][] = [
  ['backend.makeOutput(shape, dtype) makes a tensor in the heap', (b) => typeof b.makeOutput === 'function'],
  ['backend.typedArrayFromHeap(tensor) views a tensor in the heap', (b) => typeof b.typedArrayFromHeap === 'function'],
  ['backend.disposeData(dataId) frees a tensor', (b) => typeof b.disposeData === 'function'],
  ['backend.incRef(dataId) counts a shared buffer', (b) => typeof b.incRef === 'function'],
  ['backend.wasm._malloc allocates in the heap', (b) => typeof (b.wasm as { _malloc?: unknown } | undefined)?._malloc === 'function'],
  ['backend.wasm.wasmMemory (or asm.memory) is the heap', (b) => {
    const m = b.wasm as { wasmMemory?: { buffer?: unknown }; asm?: { memory?: { buffer?: unknown } } } | undefined;
    return Boolean((m?.wasmMemory ?? m?.asm?.memory)?.buffer);
  }],
  ['backend.dataIdMap.get(dataId).memoryOffset is a tensor\'s heap address', (b, t) => {
    const map = b.dataIdMap as { get?: (id: object) => { memoryOffset?: unknown } | undefined } | undefined;
    return typeof map?.get === 'function' && typeof map.get(t.dataId)?.memoryOffset === 'number';
  }],
];

/** Throws, naming the first internal that is missing from this wasm backend. */
export function checkWasmInternals(backend: KernelBackend = tf.backend()): void {
  const probe = tf.tensor1d([1, 2, 3, 4]);
  try {
    for (const [what, holds] of FACTS) {
      if (!holds(backend as unknown as Record<string, unknown>, probe)) {
        throw new Error(`${PKG} changed an internal the engine's kernels use: no longer true that ${what}`);
      }
    }
  } finally {
    probe.dispose();
  }
}

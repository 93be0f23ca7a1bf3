// Direct access to tensors in the wasm backend's heap, for small rearrangements that cost
// less in a JS loop than in a chain of kernels. Views are taken after every allocation:
// a growing heap detaches earlier views.
import type { DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

export interface WasmBackendLike extends KernelBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

export function asWasm(backend: KernelBackend): WasmBackendLike {
  const b = backend as Partial<WasmBackendLike>;
  if (typeof b.makeOutput !== 'function' || typeof b.typedArrayFromHeap !== 'function') {
    throw new Error('expected the tfjs wasm backend (makeOutput / typedArrayFromHeap missing)');
  }
  return backend as WasmBackendLike;
}

export function f32(backend: WasmBackendLike, t: TensorInfo): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${t.dtype}`);
  return backend.typedArrayFromHeap(t) as Float32Array;
}

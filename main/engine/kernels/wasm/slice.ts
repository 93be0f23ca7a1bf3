// Slice, SplitV and Unpack on wasm without a trip through JavaScript. tfjs's wasm Slice first
// copies its whole input out of the heap (readSync) and then copies rows back one typed-array
// call at a time; the GRUs' splits and the option-A shortcut's gradient slice every step.
// Here a native loop copies the box inside the heap.
import {
  backend_util, slice_util, Slice, SplitV, Unpack, util,
  type KernelBackend, type KernelConfig, type SliceAttrs, type SplitVAttrs, type TensorInfo, type UnpackAttrs,
} from '@tensorflow/tfjs-core';
import { ownKernel } from '../originals';
import { asWasm } from './heap';
import { addressOf, nativeKernels } from './native/module';

/** The box [begin, begin + size) of x, or null when the native path does not apply. */
export function sliceNative(backend: KernelBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo | null {
  if (x.dtype === 'string' || x.shape.length > 4) return null;
  const b = asWasm(backend);
  const out = b.makeOutput(size, x.dtype);
  if (util.sizeFromShape(size) === 0) return out;
  const lead = 4 - x.shape.length;
  const dims = [...new Array(lead).fill(1), ...x.shape];
  const bg = [...new Array(lead).fill(0), ...begin];
  const sz = [...new Array(lead).fill(1), ...size];
  nativeKernels(b).slice4(addressOf(b, x), addressOf(b, out), dims[1], dims[2], dims[3], bg[0], bg[1], bg[2], bg[3], sz[0], sz[1], sz[2], sz[3]);
  return out;
}

const own = (kernel: string) => ownKernel(kernel, 'wasm');

export const wasmSlice: KernelConfig = {
  kernelName: Slice,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { begin, size } = args.attrs as unknown as SliceAttrs;
    const [b, s] = slice_util.parseSliceParams(x, begin, size);
    return sliceNative(args.backend as KernelBackend, x, b, s) ?? own(Slice).kernelFunc(args);
  },
};

export const wasmSplitV: KernelConfig = {
  kernelName: SplitV,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { numOrSizeSplits, axis } = args.attrs as unknown as SplitVAttrs;
    if (x.dtype === 'string' || x.shape.length > 4) return own(SplitV).kernelFunc(args);
    const ax = util.parseAxisParam(axis, x.shape)[0];
    const sizes = backend_util.prepareSplitSize(x, numOrSizeSplits, ax);
    const begin = new Array(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = x.shape.slice();
      size[ax] = s;
      const part = sliceNative(args.backend as KernelBackend, x, begin, size)!;
      begin[ax] += s;
      return part;
    });
  },
};

export const wasmUnpack: KernelConfig = {
  kernelName: Unpack,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { value } = args.inputs as { value: TensorInfo };
    let { axis } = args.attrs as unknown as UnpackAttrs;
    if (value.dtype === 'string' || value.shape.length > 4) return own(Unpack).kernelFunc(args);
    if (axis < 0) axis += value.shape.length;
    const outShape = value.shape.filter((_, i) => i !== axis);
    const size = value.shape.slice();
    size[axis] = 1;
    const begin = new Array(value.shape.length).fill(0);
    const outs: TensorInfo[] = [];
    for (let i = 0; i < value.shape[axis]; i++) {
      begin[axis] = i;
      const part = sliceNative(args.backend as KernelBackend, value, begin, size)!;
      outs.push({ dataId: part.dataId, dtype: part.dtype, shape: outShape });
    }
    return outs;
  },
};

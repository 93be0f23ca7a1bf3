// Conv2DBackpropFilter for the wasm backend, which registers none:
//   dW[a,b,i,o] = Σ_{n,y,x} X[n, y·sh + a − pt, x·sw + b − pl, i] · dY[n, y, x, o]
// computed natively (kernels.c: conv_filter_grad) on x and dy as they lie in the heap: one
// image at a time stays in cache while 4×16 register tiles of dW pass over it. The earlier
// route, XNNPACK's forward conv with the batch as channels, needed two transposes and a new
// XNNPACK operator (packing all of dy) per call: ~2× the forward conv; this is about 1×.
import {
  backend_util, Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelBackend, type KernelConfig, type TensorInfo,
} from '@tensorflow/tfjs-core';
import { asWasm, f32 } from './heap';
import { addressOf, nativeKernels } from './native/module';

export function conv2dBackpropFilterNative(backend: KernelBackend, x: TensorInfo, dy: TensorInfo, attrs: Conv2DBackpropFilterAttrs): TensorInfo {
  const b = asWasm(backend);
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  if (info.dataFormat !== 'channelsLast') throw new Error('wasm Conv2DBackpropFilter supports NHWC only');
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('wasm Conv2DBackpropFilter needs float32');
  const out = b.makeOutput(filterShape, 'float32');
  f32(b, out).fill(0);
  const [n, h, w, ci] = x.shape;
  nativeKernels(b).conv_filter_grad(addressOf(b, x), addressOf(b, dy), addressOf(b, out), 0, n, h, w, ci, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left);
  return out;
}

export const wasmConv2dBackpropFilter: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) =>
    conv2dBackpropFilterNative(backend as KernelBackend, inputs.x!, inputs.dy!, attrs as unknown as Conv2DBackpropFilterAttrs),
};

// Conv2DBackpropFilter for the wasm backend, which registers none:
//   dW[a,b,i,o] = Σ_{n,y,x} X[n, y·sh + a − pt, x·sw + b − pl, i] · dY[n, y, x, o]
// computed natively (native/conv.c) on x and dy as they lie in the heap: one zero-padded
// image at a time stays in cache while 6×8 register tiles of dW pass over it; chunks of the
// batch go to the native threads (pool.ts), each into its own partial dW, summed in order.
// The earlier route, XNNPACK's forward conv with the batch as channels, needed two transposes
// and a new XNNPACK operator (packing all of dy) per call: ~2× the forward conv.
import {
  backend_util, Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelBackend, type KernelConfig, type TensorInfo,
} from '@tensorflow/tfjs-core';
import { asWasm } from './heap';
import { addressOf } from './native/module';
import { taskRunner } from './native/pool';
import { paddedSize } from './conv-native';

/** Batch chunks (each with its own partial dW, summed in order) and the tasks of that sum. */
const DW_TASKS = 8;
const SUM_TASKS = 4;
const DW_PARTIALS_MAX_FLOATS = 16 << 20;

export function conv2dBackpropFilterNative(backend: KernelBackend, x: TensorInfo, dy: TensorInfo, attrs: Conv2DBackpropFilterAttrs): TensorInfo {
  const b = asWasm(backend);
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  if (info.dataFormat !== 'channelsLast') throw new Error('wasm Conv2DBackpropFilter supports NHWC only');
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('wasm Conv2DBackpropFilter needs float32');
  const [n, h, w, ci] = x.shape;
  const size = filterShape.reduce((a, c) => a * c, 1);
  // A fixed split of the batch (not the thread count) decides the summation order.
  const parts = Math.max(1, Math.min(DW_TASKS, n, Math.floor(DW_PARTIALS_MAX_FLOATS / size)));
  const chunk = Math.ceil(n / parts);
  const tasks = Math.ceil(n / chunk);
  const out = b.makeOutput(filterShape, 'float32');
  const partials = b.makeOutput([tasks * size], 'float32');
  const padded = paddedSize({ n, h, w, ci, co: info.outChannels, kh: info.filterHeight, kw: info.filterWidth, sh: info.strideHeight, sw: info.strideWidth,
    pt: info.padInfo.top, pl: info.padInfo.left, oh: info.outHeight, ow: info.outWidth });
  const scratch = b.makeOutput([Math.max(1, tasks * padded)], 'float32');
  try {
    const run = taskRunner(b);
    run.run('conv_filter_grad_task', tasks, [chunk, addressOf(b, x), addressOf(b, dy), addressOf(b, partials), addressOf(b, scratch), n, h, w, ci,
      info.outHeight, info.outWidth, info.outChannels, info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left]);
    run.run('sum_partials_task', SUM_TASKS, [SUM_TASKS, addressOf(b, partials), tasks, size, addressOf(b, out)]);
  } finally {
    b.disposeData(partials.dataId);
    b.disposeData(scratch.dataId);
  }
  return out;
}

export const wasmConv2dBackpropFilter: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) =>
    conv2dBackpropFilterNative(backend as KernelBackend, inputs.x!, inputs.dy!, attrs as unknown as Conv2DBackpropFilterAttrs),
};

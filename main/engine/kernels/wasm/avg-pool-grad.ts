// AvgPoolGrad on wasm for a 1×1 window (the option-A shortcut subsamples with avgPool(x, 1,
// stride)): the gradient is a strided scatter, done natively in one pass. tfjs's generic
// loop costs several ms per call; other windows still go to it.
import { AvgPoolGrad, backend_util, type AvgPoolGradAttrs, type KernelBackend, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { ownKernel } from '../originals';
import { asWasm } from './heap';
import { addressOf, nativeKernels } from './native/module';

export const wasmAvgPoolGrad: KernelConfig = {
  kernelName: AvgPoolGrad,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const { filterSize, strides, pad } = args.attrs as unknown as AvgPoolGradAttrs;
    const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad);
    const oneByOne = info.filterHeight === 1 && info.filterWidth === 1 && info.padInfo.top === 0 && info.padInfo.left === 0;
    if (!oneByOne || dy.dtype !== 'float32' || info.dataFormat !== 'channelsLast') {
      return ownKernel(AvgPoolGrad, 'wasm').kernelFunc(args);
    }
    const b = asWasm(args.backend as KernelBackend);
    const out = b.makeOutput(input.shape, 'float32');
    const [n, h, w, c] = input.shape;
    nativeKernels(b).subsample_grad(addressOf(b, dy), addressOf(b, out), n, h, w, c, info.outHeight, info.outWidth, info.strideHeight, info.strideWidth);
    return out;
  },
};

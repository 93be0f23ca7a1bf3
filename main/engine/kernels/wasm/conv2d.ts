// Conv2D on wasm natively (native/conv.c) where that beats XNNPACK (nativeConvRoute); NCHW,
// dilations and non-float inputs stay on tfjs's own kernel.
import { backend_util, Conv2D, type Conv2DAttrs, type KernelBackend, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { ownKernel } from '../originals';
import { denseOutput, nativeConvRoute, packFilter, plainFilter, runConv } from './conv-native';
import { asWasm } from './heap';

export function conv2dNative(backend: KernelBackend, x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs): TensorInfo {
  const b = asWasm(backend);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number], attrs.strides, attrs.dilations,
    attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  const [n, h, w, ci] = x.shape;
  const co = info.outChannels;
  const y = b.makeOutput([n, info.outHeight, info.outWidth, co], 'float32');
  if (y.shape.some((d) => d === 0)) return y;
  const packed = packFilter(b, filter, plainFilter(info.filterHeight, info.filterWidth, ci, co));
  try {
    runConv(b, x, packed, y, {
      n, h, w, ci, co, kh: info.filterHeight, kw: info.filterWidth, sh: info.strideHeight, sw: info.strideWidth,
      pt: info.padInfo.top, pl: info.padInfo.left, oh: info.outHeight, ow: info.outWidth,
    }, denseOutput(info.outHeight, info.outWidth));
  } finally {
    b.disposeData(packed.dataId);
  }
  return y;
}

export const wasmConv2d: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const a = args.attrs as unknown as Conv2DAttrs;
    const dil = typeof a.dilations === 'number' ? [a.dilations, a.dilations] : (a.dilations ?? [1, 1]);
    const plain = a.dataFormat !== 'NCHW' && dil[0] === 1 && dil[1] === 1 && x.dtype === 'float32' && filter.dtype === 'float32';
    if (!plain || !nativeConvRoute()) return ownKernel(Conv2D, 'wasm').kernelFunc(args);
    return conv2dNative(args.backend as KernelBackend, x, filter, a);
  },
};

// Conv2DBackpropFilter for the wasm backend, which registers none. The filter gradient
//   dW[a,b,i,o] = Σ_{n,y,x} Xpad[n, y·sh + a, x·sw + b, i] · dY[n, y, x, o]
// is itself a convolution: treat input channels as the batch and the batch as channels,
// and use dY as a (dilated by the stride) filter. XNNPACK runs it at forward-conv speed.
import { backend_util, Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelBackend, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { KernelScope } from '../compose';

export function conv2dBackpropFilterViaConv(scope: KernelScope, x: TensorInfo, dy: TensorInfo, attrs: Conv2DBackpropFilterAttrs): TensorInfo {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  if (info.dataFormat !== 'channelsLast') throw new Error('wasm Conv2DBackpropFilter supports NHWC only');
  const { top, left } = info.padInfo;
  const [n, h, w, c] = x.shape;
  const needH = (info.outHeight - 1) * info.strideHeight + info.filterHeight;
  const needW = (info.outWidth - 1) * info.strideWidth + info.filterWidth;
  const bottom = needH - h - top;
  const right = needW - w - left;
  let xp = x;
  if (top > 0 || left > 0 || bottom > 0 || right > 0) {
    xp = scope.run('PadV2', { x: xp }, { paddings: [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]], constantValue: 0 });
  }
  if (bottom < 0 || right < 0) {
    xp = scope.run('Slice', { x: xp }, { begin: [0, 0, 0, 0], size: [n, needH, needW, c] });
  }
  const xt = scope.run('Transpose', { x: xp }, { perm: [3, 1, 2, 0] }); // [Ci, needH, needW, N]
  const dyt = scope.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [oh, ow, N, Co]
  const r = scope.run('Conv2D', { x: xt, filter: dyt }, {
    strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [info.strideHeight, info.strideWidth], dimRoundingMode: undefined,
  } as never); // [Ci, kh, kw, Co]
  return scope.run('Transpose', { x: r }, { perm: [1, 2, 0, 3] }); // [kh, kw, Ci, Co]
}

export const wasmConv2dBackpropFilter: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const scope = new KernelScope(backend as KernelBackend, 'wasm');
    try {
      const out = conv2dBackpropFilterViaConv(scope, inputs.x!, inputs.dy!, attrs as unknown as Conv2DBackpropFilterAttrs);
      return scope.finish(out);
    } catch (e) {
      scope.abort();
      throw e;
    }
  },
};

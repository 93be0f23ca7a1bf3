// Conv2DBackpropInput for the wasm backend (tfjs's own is a scalar loop ~10× slower than the
// forward conv). Each output phase (stride² of them) is a stride-1 conv of dy with a flipped,
// channel-swapped sub-kernel (see conv-phases.ts); nothing is zero-dilated. Natively
// (native/conv.c) each phase packs its sub-kernel straight from the filter and writes its
// pixels of dx in place; on XNNPACK (where nativeConvRoute keeps it) the phases are separate
// forward convs interleaved into dx afterwards.
import {
  backend_util, Conv2D, Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type KernelConfig, type KernelBackend, type TensorInfo,
} from '@tensorflow/tfjs-core';
import { axisPhases, phaseFilter, phaseLength, type AxisPhase } from '../conv-phases';
import { withScope, type KernelScope } from '../compose';
import { originalKernel, ownKernel } from '../originals';
import { nativeConvRoute, packFilter, runConv } from './conv-native';
import { asWasm, f32, type WasmBackendLike } from './heap';

function phaseConv(
  scope: KernelScope, backend: WasmBackendLike, dy: TensorInfo, filter: TensorInfo,
  py: AxisPhase, px: AxisPhase, stride: [number, number],
): TensorInfo {
  const [, kw, cin, cout] = filter.shape;
  const f = scope.track(backend.makeOutput([py.taps, px.taps, cout, cin], 'float32'));
  phaseFilter(f32(backend, filter), kw, cin, cout, py, px, stride, f32(backend, f));
  let src = dy;
  const cropTop = Math.max(0, -py.padBefore);
  const cropLeft = Math.max(0, -px.padBefore);
  const cropBottom = Math.max(0, -py.padAfter);
  const cropRight = Math.max(0, -px.padAfter);
  if (cropTop || cropLeft || cropBottom || cropRight) {
    const [n, h, w, c] = dy.shape;
    src = scope.run('Slice', { x: dy }, { begin: [0, cropTop, cropLeft, 0], size: [n, h - cropTop - cropBottom, w - cropLeft - cropRight, c] });
  }
  const pad = [[0, 0], [Math.max(0, py.padBefore), Math.max(0, py.padAfter)], [Math.max(0, px.padBefore), Math.max(0, px.padAfter)], [0, 0]];
  const attrs = { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined };
  return scope.track(ownKernel(Conv2D, 'wasm').kernelFunc({ inputs: { x: src, filter: f }, attrs: attrs as never, backend }) as TensorInfo);
}

/** dx[n, s·qy + ry, s·qx + rx, c] = phase(ry, rx)[n, qy, qx, c], cropped to the input size; zeros for empty phases. */
function interleave(backend: WasmBackendLike, parts: (TensorInfo | null)[], shape: number[], stride: [number, number]): TensorInfo {
  const [n, h, w, c] = shape;
  const [sh, sw] = stride;
  const qh = phaseLength(h, sh);
  const qw = phaseLength(w, sw);
  const out = backend.makeOutput(shape, 'float32');
  const dst = f32(backend, out);
  for (let ry = 0; ry < sh; ry++) {
    for (let rx = 0; rx < sw; rx++) {
      const part = parts[ry * sw + rx];
      const src = part ? f32(backend, part) : null;
      for (let b = 0; b < n; b++) {
        for (let qy = 0, y = ry; y < h; qy++, y += sh) {
          const rowIn = ((b * qh + qy) * qw) * c;
          const rowOut = ((b * h + y) * w) * c;
          for (let qx = 0, x = rx; x < w; qx++, x += sw) {
            const o = rowOut + x * c;
            if (!src) dst.fill(0, o, o + c);
            else for (let k = 0, i = rowIn + qx * c; k < c; k++) dst[o + k] = src[i + k];
          }
        }
      }
    }
  }
  return out;
}

export function conv2dBackpropInputPolyphase(backend: KernelBackend, dy: TensorInfo, filter: TensorInfo, attrs: Conv2DBackpropInputAttrs): TensorInfo {
  const wasm = asWasm(backend);
  const { inputShape, strides, pad, dimRoundingMode, dataFormat } = attrs;
  const info = backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  const stride: [number, number] = [info.strideHeight, info.strideWidth];
  const rows = axisPhases(inputShape[1], info.outHeight, info.filterHeight, stride[0], info.padInfo.top);
  const cols = axisPhases(inputShape[2], info.outWidth, info.filterWidth, stride[1], info.padInfo.left);
  return withScope(backend, 'wasm', (scope) => {
    const parts: (TensorInfo | null)[] = [];
    for (const py of rows) {
      for (const px of cols) parts.push(py.taps && px.taps ? phaseConv(scope, wasm, dy, filter, py, px, stride) : null);
    }
    if (parts.length === 1 && parts[0]) return parts[0]; // stride 1: the conv is dx
    return interleave(wasm, parts, inputShape, stride);
  });
}

/** dx natively: one packed sub-kernel and one conv2d_task run per phase, each writing its own pixels of dx. */
export function conv2dBackpropInputNative(backend: KernelBackend, dy: TensorInfo, filter: TensorInfo, attrs: Conv2DBackpropInputAttrs): TensorInfo {
  const b = asWasm(backend);
  const { inputShape, strides, pad, dimRoundingMode } = attrs;
  const info = backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast',
  );
  const [n, h, w, ci] = inputShape;
  const [kh, kw, , co] = filter.shape;
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const dx = b.makeOutput(inputShape, 'float32');
  if (dx.shape.some((d) => d === 0)) return dx;
  for (const py of axisPhases(h, info.outHeight, kh, sh, info.padInfo.top)) {
    for (const px of axisPhases(w, info.outWidth, kw, sw, info.padInfo.left)) {
      // W'(jy, jx, o, c) = W(fy + sh·(ty−1−jy), fx + sw·(tx−1−jx), c, o)
      const [ty, tx] = [py.taps, px.taps];
      const packed = packFilter(b, filter, {
        base: ((py.firstTap + sh * (ty - 1)) * kw + px.firstTap + sw * (tx - 1)) * ci * co,
        sa: -sh * kw * ci * co, sb: -sw * ci * co, si: 1, so: co, kh: ty, kw: tx, ci: co, co: ci,
      });
      try {
        const [qh, qw] = [Math.ceil((h - py.phase) / sh), Math.ceil((w - px.phase) / sw)];
        runConv(b, dy, packed, dx,
          { n, h: info.outHeight, w: info.outWidth, ci: co, co: ci, kh: ty, kw: tx, sh: 1, sw: 1, pt: py.padBefore, pl: px.padBefore, oh: qh, ow: qw },
          { yh: h, yw: w, ysh: sh, ysw: sw, ry: py.phase, rx: px.phase });
      } finally {
        b.disposeData(packed.dataId);
      }
    }
  }
  return dx;
}

export const wasmConv2dBackpropInput: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as Conv2DBackpropInputAttrs;
    if (a.dataFormat === 'NCHW') {
      const own = originalKernel(Conv2DBackpropInput, 'wasm');
      if (!own) throw new Error('wasm Conv2DBackpropInput supports NHWC only');
      return own.kernelFunc({ inputs, backend, attrs });
    }
    if (inputs.dy!.dtype === 'float32' && inputs.filter!.dtype === 'float32' && nativeConvRoute()) {
      return conv2dBackpropInputNative(backend as KernelBackend, inputs.dy!, inputs.filter!, a);
    }
    return conv2dBackpropInputPolyphase(backend as KernelBackend, inputs.dy!, inputs.filter!, a);
  },
};

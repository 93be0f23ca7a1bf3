// The native convolution (native/conv.c) as the three conv kernels use it: pack a filter, then
// run conv2d_task over a fixed split of the batch on the native threads (pool.ts). Every output
// pixel is summed by one task in one order, so the thread count never changes a result.
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { asWasm, type WasmBackendLike } from './heap';
import { addressOf, nativeKernels } from './native/module';
import { taskRunner } from './native/pool';

/** Tasks a conv call is split into (at most; one image each at least), whatever the thread count. */
export const CONV_TASKS = 8;
const NR = 8; // conv.c's output channels per tile

/**
 * Whether the forward conv and the input gradient run natively or on tfjs's XNNPACK. Measured
 * (bench/conv-routes.ts; README, Performance): the native kernels beat XNNPACK on every
 * ResNet conv shape at sizes 3, 5 and 7, in both builds, on Node 20 and 24, so they are used
 * throughout. EFFCONV_NATIVE_CONV=0 keeps XNNPACK (for comparisons).
 */
export function nativeConvRoute(): boolean {
  return process.env.EFFCONV_NATIVE_CONV !== '0';
}

/** conv_pack_filter's strides into w: W(a, b, i, o) = w[base + a·sa + b·sb + i·si + o·so]. */
export interface FilterView {
  base: number;
  sa: number;
  sb: number;
  si: number;
  so: number;
  kh: number;
  kw: number;
  ci: number;
  co: number;
}

/** A filter [kh, kw, ci, co] as it lies (the forward pass). */
export function plainFilter(kh: number, kw: number, ci: number, co: number): FilterView {
  return { base: 0, sa: kw * ci * co, sb: ci * co, si: co, so: 1, kh, kw, ci, co };
}

export interface ConvGeometry {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  /** Input shift (padding before; negative: rows/columns cropped). */
  pt: number;
  pl: number;
  oh: number;
  ow: number;
}

/** Where output pixel (oy, ox) goes in y [n, yh, yw, co]: row oy·ysh + ry, column ox·ysw + rx. */
export interface Placement {
  yh: number;
  yw: number;
  ysh: number;
  ysw: number;
  ry: number;
  rx: number;
}

export function denseOutput(oh: number, ow: number): Placement {
  return { yh: oh, yw: ow, ysh: 1, ysw: 1, ry: 0, rx: 0 };
}

/** Pack `filter` as seen through `v` (a temporary the caller disposes). */
export function packFilter(b: WasmBackendLike, filter: TensorInfo, v: FilterView): TensorInfo {
  const size = Math.ceil(v.co / NR) * NR * v.kh * v.kw * v.ci;
  const packed = b.makeOutput([Math.max(size, NR)], 'float32');
  if (size > 0) nativeKernels(b).conv_pack_filter(addressOf(b, filter), v.base, v.sa, v.sb, v.si, v.so, v.kh, v.kw, v.ci, v.co, addressOf(b, packed));
  return packed;
}

/** Split of n images into at most CONV_TASKS tasks: images per task and the task count. */
export function batchSplit(n: number): { per: number; tasks: number } {
  const per = Math.ceil(n / Math.max(1, Math.min(CONV_TASKS, n)));
  return { per, tasks: Math.ceil(n / per) };
}

/** Padded input block each task copies an image into. */
export function paddedSize(g: ConvGeometry): number {
  return Math.max(0, ((g.oh - 1) * g.sh + g.kh) * ((g.ow - 1) * g.sw + g.kw) * g.ci);
}

/** Run a convolution of x with a packed filter into y (allocated by the caller). */
export function runConv(backend: KernelBackend, x: TensorInfo, packed: TensorInfo, y: TensorInfo, g: ConvGeometry, p: Placement): void {
  const b = asWasm(backend);
  const { per, tasks } = batchSplit(g.n);
  const scratch = b.makeOutput([Math.max(1, tasks * paddedSize(g))], 'float32');
  try {
    taskRunner(b).run('conv2d_task', tasks, [per, addressOf(b, x), addressOf(b, packed), addressOf(b, y), addressOf(b, scratch), g.n, g.h, g.w, g.ci, g.co,
      g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.oh, g.ow, p.yh, p.yw, p.ysh, p.ysw, p.ry, p.rx]);
  } finally {
    b.disposeData(scratch.dataId);
  }
}

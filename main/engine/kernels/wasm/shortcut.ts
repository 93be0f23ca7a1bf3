// The option-A shortcut (subsample by the stride, zero-pad the new channels) on wasm in one
// native pass each way, instead of AvgPool + PadV2 forward and Slice + AvgPoolGrad backward.
import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { SHORTCUT_A, SHORTCUT_A_GRAD } from '../names';
import { asWasm } from './heap';
import { addressOf, nativeKernels } from './native/module';

function float(t: TensorInfo): void {
  if (t.dtype !== 'float32' || t.shape.length !== 4) throw new Error(`the option-A shortcut needs a float32 NHWC tensor, got ${t.dtype} [${t.shape}]`);
}

export const wasmShortcutA: KernelConfig = {
  kernelName: SHORTCUT_A,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const b = asWasm(backend as KernelBackend);
    const { x } = inputs as { x: TensorInfo };
    const { stride, channels } = attrs as unknown as { stride: number; channels: number };
    float(x);
    const [n, h, w, ci] = x.shape;
    const [oh, ow] = [Math.ceil(h / stride), Math.ceil(w / stride)];
    const y = b.makeOutput([n, oh, ow, channels], 'float32');
    nativeKernels(b).shortcut_a(addressOf(b, x), addressOf(b, y), n, h, w, ci, oh, ow, channels, stride, (channels - ci) >> 1);
    return y;
  },
};

export const wasmShortcutAGrad: KernelConfig = {
  kernelName: SHORTCUT_A_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const b = asWasm(backend as KernelBackend);
    const { dy } = inputs as { dy: TensorInfo };
    const { stride, inputShape } = attrs as unknown as { stride: number; inputShape: number[] };
    float(dy);
    const [n, h, w, ci] = inputShape;
    const [, oh, ow, co] = dy.shape;
    const dx = b.makeOutput(inputShape, 'float32');
    nativeKernels(b).shortcut_a_grad(addressOf(b, dy), addressOf(b, dx), n, h, w, ci, oh, ow, co, stride, (co - ci) >> 1);
    return dx;
  },
};

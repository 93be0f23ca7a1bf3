// The predictors' GRUs on wasm: a whole sequence forward in one native call and its backward
// through time in another, instead of ~15 tfjs ops per time step each way.
import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GRU_SEQUENCE, GRU_SEQUENCE_GRAD } from '../names';
import { asWasm } from './heap';
import { addressOf, nativeKernels } from './native/module';

export const wasmGruSequence: KernelConfig = {
  kernelName: GRU_SEQUENCE,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const b = asWasm(backend as KernelBackend);
    const { x, whh, bhh } = inputs as Record<'x' | 'whh' | 'bhh', TensorInfo>;
    const steps = (attrs as { steps: number }).steps;
    const [batch, tx, n3] = x.shape;
    const hd = n3 / 3;
    if (tx !== 1 && tx !== steps) throw new Error(`GRU sequence: input has ${tx} steps, expected 1 or ${steps}`);
    const hs = b.makeOutput([steps, batch, hd], 'float32');
    const gates = b.makeOutput([steps, batch, 4 * hd], 'float32');
    const scratch = b.makeOutput([n3], 'float32');
    try {
      nativeKernels(b).gru_forward(addressOf(b, x), tx, addressOf(b, whh), addressOf(b, bhh), batch, steps, hd, addressOf(b, hs), addressOf(b, gates), addressOf(b, scratch));
    } finally {
      b.disposeData(scratch.dataId);
    }
    return [hs, gates];
  },
};

export const wasmGruSequenceGrad: KernelConfig = {
  kernelName: GRU_SEQUENCE_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const b = asWasm(backend as KernelBackend);
    const { dhs, hs, gates, whh } = inputs as Record<'dhs' | 'hs' | 'gates' | 'whh', TensorInfo>;
    const tx = (attrs as { tx: number }).tx;
    const [steps, batch, hd] = hs.shape;
    const dx = b.makeOutput([batch, tx, 3 * hd], 'float32');
    const dwhh = b.makeOutput([batch, hd, 3 * hd], 'float32');
    const dbhh = b.makeOutput([batch, 1, 3 * hd], 'float32');
    const scratch = b.makeOutput([5 * hd], 'float32');
    try {
      nativeKernels(b).gru_backward(addressOf(b, dhs), addressOf(b, hs), addressOf(b, gates), addressOf(b, whh), tx, batch, steps, hd,
        addressOf(b, dx), addressOf(b, dwhh), addressOf(b, dbhh), addressOf(b, scratch));
    } finally {
      b.disposeData(scratch.dataId);
    }
    return [dx, dwhh, dbhh];
  },
};

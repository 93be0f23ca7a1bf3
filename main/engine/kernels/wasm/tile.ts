// Tile (and so broadcastTo) on wasm natively for rank ≤ 4 float32: the Sum/Mean gradients
// broadcast dy back over the reduced axes (the global average pool's is 64·8·8·64 values),
// which tfjs's generic index-arithmetic loop takes ~10 ms for.
import { Tile, type KernelBackend, type KernelConfig, type TensorInfo, type TileAttrs } from '@tensorflow/tfjs-core';
import { ownKernel } from '../originals';
import { asWasm } from './heap';
import { addressOf, nativeKernels } from './native/module';

export const wasmTile: KernelConfig = {
  kernelName: Tile,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { reps } = args.attrs as unknown as TileAttrs;
    if (x.dtype !== 'float32' || x.shape.length > 4 || x.shape.length === 0) {
      return ownKernel(Tile, 'wasm').kernelFunc(args);
    }
    const b = asWasm(args.backend as KernelBackend);
    const out = b.makeOutput(x.shape.map((d, i) => d * reps[i]), 'float32');
    if (out.shape.some((d) => d === 0)) return out;
    const lead = 4 - x.shape.length;
    const s = [...new Array(lead).fill(1), ...x.shape];
    const r = [...new Array(lead).fill(1), ...reps];
    nativeKernels(b).tile4(addressOf(b, x), addressOf(b, out), s[0], s[1], s[2], s[3], r[0], r[1], r[2], r[3]);
    return out;
  },
};

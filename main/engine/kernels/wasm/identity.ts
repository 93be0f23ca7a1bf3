// Identity on wasm without a copy. tfjs saves every tensor a gradient needs by cloning it
// (an Identity), and the wasm backend's Identity copies the whole buffer: ~1,200 copies per
// stage-1 step, every conv input among them. Tensors are immutable and the backend counts
// references per buffer (its Reshape already shares), so sharing the buffer is the cpu
// backend's behaviour and is safe.
import { Identity, type KernelBackend, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { ownKernel } from '../originals';

export const wasmIdentity: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') {
      return ownKernel(Identity, 'wasm').kernelFunc(args);
    }
    (args.backend as KernelBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  },
};

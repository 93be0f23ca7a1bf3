// Building one backend kernel out of others: call registered kernels of the same backend
// directly (no engine bookkeeping, no tape) and free the intermediates ourselves.
import { getKernel, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo, type KernelBackend } from '@tensorflow/tfjs-core';

export class KernelScope {
  private readonly temps: TensorInfo[] = [];

  constructor(
    private readonly backend: KernelBackend,
    private readonly backendName: string,
  ) {}

  run(kernelName: string, inputs: NamedTensorInfoMap | TensorInfo[], attrs: NamedAttrMap): TensorInfo {
    const k = getKernel(kernelName, this.backendName);
    if (!k) throw new Error(`kernel ${kernelName} is not registered for ${this.backendName}`);
    const out = k.kernelFunc({ inputs: inputs as NamedTensorInfoMap, attrs, backend: this.backend }) as TensorInfo;
    this.temps.push(out);
    return out;
  }

  /** Take ownership of a tensor made directly by the backend (freed with the others). */
  track<T extends TensorInfo>(t: T): T {
    this.temps.push(t);
    return t;
  }

  /** Frees every intermediate except `result`, which the caller returns to the engine. */
  finish(result: TensorInfo): TensorInfo {
    for (const t of this.temps) if (t !== result) this.backend.disposeData(t.dataId);
    return result;
  }

  /** Frees everything (on error). */
  abort(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
  }
}

/** Run `body` in a scope: its intermediates are freed, its result handed to the engine. */
export function withScope(backend: KernelBackend, backendName: string, body: (scope: KernelScope) => TensorInfo): TensorInfo {
  const scope = new KernelScope(backend, backendName);
  try {
    return scope.finish(body(scope));
  } catch (e) {
    scope.abort();
    throw e;
  }
}

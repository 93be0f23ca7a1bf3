// Loads the native kernels' module (native/*.c) into the tfjs wasm backend's memory (plain or shared, as the
// backend's build uses) and gives each kernel tensor addresses in that heap. Of the two builds
// the relaxed-SIMD one (fused multiply-add) is used where the runtime validates it, the SIMD128
// one elsewhere; EFFCONV_WASM_KERNELS=simd128 asks for the SIMD128 build on any runtime.
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { KERNELS_WASM_RELAXED, KERNELS_WASM_SIMD128 } from './kernels.generated';

type Ptr = number;
export interface NativeKernels {
  bn_sums_task(task: number, per: number, x: Ptr, rows: number, c: number, centre: Ptr, power: number, partials: Ptr, scratch: Ptr): void;
  bn_mean(partials: Ptr, tasks: number, c: number, rows: number, mean: Ptr): void;
  bn_finish(partials: Ptr, tasks: number, c: number, rows: number, eps: number, gamma: Ptr, beta: Ptr, mean: Ptr, variance: Ptr, invstd: Ptr, scale: Ptr, shift: Ptr): void;
  bn_apply_task(task: number, per: number, x: Ptr, res: Ptr, relu: number, rows: number, c: number, scale: Ptr, shift: Ptr, y: Ptr): void;
  bn_grad_sums_task(task: number, per: number, x: Ptr, dy: Ptr, y: Ptr, rows: number, c: number, mean: Ptr, partials: Ptr, scratch: Ptr): void;
  bn_grad_finish(partials: Ptr, tasks: number, c: number, rows: number, mean: Ptr, invstd: Ptr, gamma: Ptr, dgamma: Ptr, dbeta: Ptr, coef: Ptr): void;
  bn_grad_apply_task(task: number, per: number, x: Ptr, dy: Ptr, y: Ptr, rows: number, c: number, coef: Ptr, dx: Ptr, dres: Ptr): void;
  adamw(p: Ptr, g: Ptr, m: Ptr, v: Ptr, n: number, lr: number, decay: number, b1: number, oneB1: number, b2: number, oneB2: number, eps: number, c1: number, c2: number, po: Ptr, mo: Ptr, vo: Ptr): void;
  sgd(p: Ptr, g: Ptr, buf: Ptr, n: number, lr: number, mu: number, wd: number, nesterov: number, po: Ptr, bo: Ptr): void;
  conv_pack_filter(w: Ptr, base: number, sa: number, sb: number, si: number, so: number, kh: number, kw: number, ci: number, co: number, packed: Ptr): void;
  conv2d_task(task: number, per: number, x: Ptr, packed: Ptr, y: Ptr, scratch: Ptr, n: number, h: number, w: number, ci: number, co: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number, yh: number, yw: number, ysh: number, ysw: number, ry: number, rx: number): void;
  conv_filter_grad_task(task: number, chunk: number, x: Ptr, dy: Ptr, partials: Ptr, scratch: Ptr, n: number, h: number, w: number, ci: number,
    oh: number, ow: number, co: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number): void;
  sum_partials_task(task: number, tasks: number, partials: Ptr, parts: number, size: number, out: Ptr): void;
  subsample_grad(dy: Ptr, dx: Ptr, n: number, h: number, w: number, c: number, oh: number, ow: number, sh: number, sw: number): void;
  shortcut_a(x: Ptr, y: Ptr, n: number, h: number, w: number, ci: number, oh: number, ow: number, co: number, s: number, before: number): void;
  shortcut_a_grad(dy: Ptr, dx: Ptr, n: number, h: number, w: number, ci: number, oh: number, ow: number, co: number, s: number, before: number): void;
  scale_rows(w: Ptr, m: Ptr, taps: number, n: number, y: Ptr): void;
  scale_rows_grad(dy: Ptr, w: Ptr, m: Ptr, taps: number, n: number, dw: Ptr, sums: Ptr): void;
  slice4(src: Ptr, dst: Ptr, d1: number, d2: number, d3: number, b0: number, b1: number, b2: number, b3: number, s0: number, s1: number, s2: number, s3: number): void;
  tile4(src: Ptr, dst: Ptr, s0: number, s1: number, s2: number, s3: number, r0: number, r1: number, r2: number, r3: number): void;
  gru_forward(x: Ptr, tx: number, whh: Ptr, bhh: Ptr, batch: number, steps: number, hd: number, hs: Ptr, gates: Ptr, scratch: Ptr): void;
  gru_backward(dhs: Ptr, hs: Ptr, gates: Ptr, whh: Ptr, tx: number, batch: number, steps: number, hd: number, dx: Ptr, dwhh: Ptr, dbhh: Ptr, scratch: Ptr): void;
  batch_matmul(a: Ptr, b: Ptr, out: Ptr, batch: number, batchA: number, batchB: number, m: number, k: number, n: number, ta: number, tb: number, bt: Ptr): void;
}

export interface EmscriptenModuleLike {
  _malloc(bytes: number): number;
  wasmMemory?: { buffer: ArrayBuffer | SharedArrayBuffer };
  asm?: { memory?: { buffer: ArrayBuffer | SharedArrayBuffer } };
}
interface WasmBackendInternals extends KernelBackend {
  wasm: EmscriptenModuleLike;
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
}

const STACK_BYTES = 64 << 10;
const DATA_SECTION = 11;
const IMPORT_SECTION = 2;

/** Section ids of a wasm binary (to refuse one that would write a data segment into tfjs's heap). */
export function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let i = 8;
  while (i < bytes.length) {
    const id = bytes[i++];
    let size = 0;
    let shift = 0;
    let b: number;
    do {
      b = bytes[i++];
      size |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    ids.push(id);
    i += size;
  }
  return ids;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const wasmApi = () => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export type KernelBuildName = 'relaxed-simd' | 'simd128';
export interface KernelBuild {
  name: KernelBuildName;
  /** The module importing a plain memory (tfjs's single-threaded build). */
  plain: Uint8Array;
  /** The same code importing a shared memory (tfjs's threaded build). */
  shared: Uint8Array;
  /** Why this build was chosen. */
  reason: string;
}

let chosen: KernelBuild | null = null;

/** The build this process uses, chosen once: relaxed SIMD where it validates, unless EFFCONV_WASM_KERNELS says simd128. */
export function kernelBuild(): KernelBuild {
  if (chosen) return chosen;
  const asked = process.env.EFFCONV_WASM_KERNELS;
  if (asked && asked !== 'simd128' && asked !== 'relaxed-simd') throw new Error(`EFFCONV_WASM_KERNELS must be simd128 or relaxed-simd, got ${asked}`);
  const relaxed = new Uint8Array(Buffer.from(KERNELS_WASM_RELAXED, 'base64'));
  const relaxedOk = wasmApi().validate(relaxed);
  if (asked === 'relaxed-simd' && !relaxedOk) throw new Error(`EFFCONV_WASM_KERNELS=relaxed-simd: this runtime (Node ${process.versions.node}, V8 ${process.versions.v8}) does not validate relaxed SIMD`);
  const use = asked === 'simd128' || !relaxedOk ? 'simd128' : 'relaxed-simd';
  const plain = use === 'relaxed-simd' ? relaxed : new Uint8Array(Buffer.from(KERNELS_WASM_SIMD128, 'base64'));
  if (sectionIds(plain).includes(DATA_SECTION)) throw new Error('the native kernel module has a data segment: it would overwrite the tfjs heap');
  const reason = asked === 'simd128' ? 'EFFCONV_WASM_KERNELS=simd128' : relaxedOk ? 'the runtime validates relaxed SIMD' : 'the runtime does not validate relaxed SIMD';
  chosen = { name: use, plain, shared: withSharedMemory(plain), reason };
  return chosen;
}

function readLeb(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let b: number;
  do {
    b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return { value, next: at };
}

/** A copy of a module whose memory import (min and max given) is marked shared: flag 0x01 → 0x03 in place. */
export function withSharedMemory(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  let i = 8;
  while (i < out.length) {
    const id = out[i];
    const size = readLeb(out, i + 1);
    const end = size.next + size.value;
    if (id === IMPORT_SECTION) {
      let p = size.next;
      const count = readLeb(out, p);
      p = count.next;
      for (let k = 0; k < count.value; k++) {
        for (let name = 0; name < 2; name++) {
          const len = readLeb(out, p);
          p = len.next + len.value;
        }
        const kind = out[p++];
        if (kind === 2) {
          if (out[p] !== 0x01) throw new Error(`the native kernels' memory import has limits flag ${out[p]}, expected 1 (min and max)`);
          out[p] = 0x03;
          return out;
        }
        if (kind === 0) p = readLeb(out, p).next;
        else if (kind === 1) p = skipLimits(out, p + 1);
        else if (kind === 3) p += 2;
        else throw new Error(`unknown import kind ${kind}`);
      }
    }
    i = end;
  }
  throw new Error('the native kernel module imports no memory');
}

function skipLimits(bytes: Uint8Array, at: number): number {
  const flag = bytes[at];
  let p = readLeb(bytes, at + 1).next;
  if (flag & 1) p = readLeb(bytes, p).next;
  return p;
}

const loaded = new WeakMap<object, NativeKernels>();

/** The Emscripten module behind a tfjs wasm backend. */
export function wasmModuleOf(backend: KernelBackend): EmscriptenModuleLike {
  const m = (backend as Partial<WasmBackendInternals>).wasm;
  if (!m || typeof m._malloc !== 'function') throw new Error('not the tfjs wasm backend (no Emscripten module)');
  return m;
}

/** The kernels bound to this backend's heap (loaded on first use). */
export function nativeKernels(backend: KernelBackend): NativeKernels {
  const module = wasmModuleOf(backend);
  const cached = loaded.get(module);
  if (cached) return cached;
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (!memory) throw new Error('the tfjs wasm backend exposes no memory (wasmMemory / asm.memory)');
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const build = kernelBuild();
  const bytes = shared ? build.shared : build.plain;
  const api = wasmApi();
  const instance = new api.Instance(new api.Module(bytes), { env: { memory } });
  // Its shadow stack (unused by the kernels today) lives in a block of tfjs's heap we own.
  const stack = module._malloc(STACK_BYTES);
  (instance.exports.__stack_pointer as { value: number }).value = stack + STACK_BYTES;
  const kernels = instance.exports as unknown as NativeKernels;
  loaded.set(module, kernels);
  return kernels;
}

/** Heap address of a tensor of the wasm backend. */
export function addressOf(backend: KernelBackend, t: TensorInfo): number {
  const entry = (backend as WasmBackendInternals).dataIdMap.get(t.dataId);
  if (!entry) throw new Error('tensor is not on the wasm backend');
  return entry.memoryOffset;
}

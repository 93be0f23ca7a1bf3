// Choosing and starting the tfjs backend: the user's choice, or the first available of
// tensorflow → webgpu (hardware adapters only) → wasm → cpu.
import '../tf-setup';
import * as tf from '@tensorflow/tfjs-core';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { settings } from '../../common/settings';
import { EffconvError } from '../../contract/errors';
import { registerEngineKernels } from '../kernels/register';
import { BACKEND_ORDER, loadTensorflow, packageDir, probeWebgpu, type BackendName, type BackendReport } from './probe';
import { MAX_WASM_THREADS, registerThreadedWasm } from './wasm-threads';
import { checkWasmInternals } from '../kernels/wasm/internals';
import { kernelBuild } from '../kernels/wasm/native/module';
import { startNativePool } from '../kernels/wasm/native/pool';

export interface ActiveBackend {
  name: BackendName;
  /** What it runs on, for reports ("wasm SIMD, 1 thread", "WebGPU adapter …"). */
  device: string;
}

export interface BackendOptions {
  /** Threads for the wasm backend (default: EFFCONV_WASM_THREADS, else every logical core, at most 8). */
  wasmThreads?: number;
}

/** The wasm thread count asked for: the option, EFFCONV_WASM_THREADS, or every logical core. */
export function wantedWasmThreads(option?: number): number {
  const v = option ?? settings().wasmThreads ?? availableParallelism();
  if (!Number.isInteger(v) || v < 1) throw new EffconvError('INVALID_ARGUMENT', `wasm threads must be a positive integer, got ${v}`, 'wasmThreads');
  return Math.min(v, MAX_WASM_THREADS);
}

/** The wasm backend starts once per process; its thread count cannot change afterwards. */
let wasmStart: { threads: number; note: string } | null = null;

async function startWasm(threadsWanted: number): Promise<BackendReport> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (!wasmStart) {
      wasm.setWasmPaths(join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + '/');
      let note = '';
      if (threadsWanted > 1) {
        try {
          await registerThreadedWasm(threadsWanted);
        } catch (e) {
          note = ` (the threaded build did not start: ${(e as Error).message.split('\n')[0]})`;
        }
      }
      wasmStart = { threads: threadsWanted, note };
    }
    const ok = await tf.setBackend('wasm');
    if (!ok) return { name: 'wasm', available: false, reason: 'tfjs-backend-wasm failed to initialise' };
    try {
      checkWasmInternals();
    } catch (e) {
      return { name: 'wasm', available: false, reason: (e as Error).message };
    }
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = Math.max(1, wasm.getThreadsCount());
    // The engine's native kernels get the same number of threads (else they run on this one).
    let poolNote = '';
    if (threads > 1) {
      try {
        await startNativePool(tf.backend(), threads);
      } catch (e) {
        poolNote = ` (the engine's native kernels run on 1 thread: ${(e as Error).message.split('\n')[0]})`;
      }
    }
    const cores = availableParallelism();
    const build = kernelBuild();
    return {
      name: 'wasm', available: true,
      reason: `WebAssembly${simd ? ' SIMD' : ''}, ${threads} thread${threads === 1 ? '' : 's'} of ${cores} logical core${cores === 1 ? '' : 's'}, ` +
        `the engine's kernels in their ${build.name === 'relaxed-simd' ? 'relaxed-SIMD (FMA)' : 'SIMD128'} build${wasmStart.note}${poolNote}`,
      details: { simd: Boolean(simd), threads, cores, nativeKernels: build.name, nativeKernelsReason: build.reason },
    };
  } catch (e) {
    return { name: 'wasm', available: false, reason: `tfjs-backend-wasm failed: ${(e as Error).message.split('\n')[0]}` };
  }
}

async function startTensorflow(): Promise<BackendReport> {
  const r = await loadTensorflow();
  if (!r.ok) return { name: 'tensorflow', available: false, reason: r.reason };
  const ok = await tf.setBackend('tensorflow');
  return ok ? { name: 'tensorflow', available: true, reason: r.reason } : { name: 'tensorflow', available: false, reason: `${r.pkg} loaded but its backend did not start` };
}

async function startWebgpu(allowSoftware: boolean): Promise<BackendReport> {
  const p = await probeWebgpu();
  if (!p.ok || !p.open) return { name: 'webgpu', available: false, reason: p.reason, details: p.details };
  if (p.software && !allowSoftware) return { name: 'webgpu', available: true, manualOnly: true, reason: p.reason, details: p.details };
  try {
    const { gpu, globals } = await p.open();
    // tfjs-backend-webgpu reads WebGPU's constants (GPUBufferUsage, GPUMapMode, …) as globals.
    for (const [k, v] of Object.entries(globals)) if (!(k in globalThis)) Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
    const g = globalThis as { navigator?: { gpu?: unknown; userAgent?: string } };
    // tfjs-backend-webgpu registers itself only if navigator.gpu exists when it is imported.
    if (!g.navigator) g.navigator = { gpu, userAgent: `node/${process.versions.node}` };
    else if (!g.navigator.gpu) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    await import('@tensorflow/tfjs-backend-webgpu');
    const ok = await tf.setBackend('webgpu');
    if (!ok) return { name: 'webgpu', available: false, reason: 'tfjs-backend-webgpu did not start on this adapter' };
  } catch (e) {
    return { name: 'webgpu', available: false, reason: `tfjs-backend-webgpu failed: ${(e as Error).message.split('\n')[0]}` };
  }
  return { name: 'webgpu', available: true, manualOnly: p.software, reason: p.reason, details: p.details };
}

async function startCpu(): Promise<BackendReport> {
  const ok = await tf.setBackend('cpu');
  return { name: 'cpu', available: ok, reason: ok ? 'pure JavaScript (slowest; always there)' : 'tfjs-backend-cpu failed to start' };
}

async function start(name: BackendName, explicit: boolean, o: BackendOptions): Promise<BackendReport> {
  switch (name) {
    case 'tensorflow':
      return startTensorflow();
    case 'webgpu':
      return startWebgpu(explicit);
    case 'wasm':
      return startWasm(wantedWasmThreads(o.wasmThreads));
    case 'cpu':
      return startCpu();
  }
}

export function parseBackendName(s: string): BackendName | 'auto' {
  const v = s.toLowerCase();
  if (v === 'auto' || (BACKEND_ORDER as string[]).includes(v)) return v as BackendName | 'auto';
  throw new EffconvError('INVALID_ARGUMENT', `unknown backend "${s}": use auto, ${BACKEND_ORDER.join(', ')}`, 'backend');
}

let active: ActiveBackend | null = null;

/** Start the requested backend (or the best available) and register our kernels on it. */
export async function initBackend(requested: BackendName | 'auto' = 'auto', options: BackendOptions = {}): Promise<ActiveBackend> {
  if (active && (requested === 'auto' || requested === active.name) && tf.getBackend() === active.name) return active;
  const candidates = requested === 'auto' ? BACKEND_ORDER : [requested];
  const failures: string[] = [];
  for (const name of candidates) {
    const explicit = requested !== 'auto';
    const r = await start(name, explicit, options);
    if (r.available && (!r.manualOnly || explicit)) {
      registerEngineKernels(name);
      active = { name, device: r.reason };
      return active;
    }
    failures.push(`${name}: ${r.reason}`);
  }
  throw new EffconvError('BACKEND_UNAVAILABLE', `backend ${requested} is not available`, failures.join('; '));
}

/** `effconv doctor`: every backend, available or not, with the reason; the automatic choice marked. */
export async function doctor(options: BackendOptions = {}): Promise<{ backends: BackendReport[]; auto: BackendName | null }> {
  const backends: BackendReport[] = [];
  for (const name of BACKEND_ORDER) backends.push(await start(name, false, options));
  const auto = backends.find((b) => b.available && !b.manualOnly)?.name ?? null;
  active = null;
  return { backends, auto };
}

// tfjs-backend-wasm's threaded-SIMD build, started in Node. tfjs turns threads off in Node
// (its WASM_HAS_MULTITHREAD_SUPPORT flag is false there) because the Emscripten glue it
// ships cannot start its pthread workers in Node: the worker script is handed over as a
// `blob:` URL (Node's Worker rejects it) and the main script as a Blob (the worker then
// cannot load it). We start the same glue ourselves with file paths instead, lift its
// thread cap (it uses logical cores / 2), keep the event loop alive until the workers have
// loaded, and register the result as the 'wasm' backend, so every wasm kernel (ours
// included) runs on it; XNNPACK spreads convs, matMuls and elementwise ops over the threads.
//
// This relies on internals of one tfjs release. checkThreadedBuild() verifies each of them
// and the test in test/engine/backends/wasm-threads.test.ts fails loudly when one changes.
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageDir } from './probe';

const localRequire = createRequire(import.meta.url);
const PKG = '@tensorflow/tfjs-backend-wasm';
/** PTHREAD_POOL_SIZE of tfjs's build: at most this many threads. */
export const MAX_WASM_THREADS = 8;
const WASM_PRIORITY = 2; // tfjs-backend-wasm's own priority
const START_TIMEOUT_MS = 60_000;

export interface ThreadedBuildFiles {
  version: string;
  glue: string;
  workerModule: string;
  wasm: string;
}

/** What the threaded start depends on, each with the text that proves it is still there. */
const GLUE_FACTS: [string, string][] = [
  ['the worker script is found through locateFile', 'locateFile("tfjs-backend-wasm-threaded-simd.worker.js")'],
  ['workers get the main script from Module.mainScriptUrlOrBlob', 'Module["mainScriptUrlOrBlob"]'],
  ['Node workers come from worker_threads', 'global.Worker=nodeWorkerThreads.Worker'],
  ['the core count is an import named emscripten_num_logical_cores', '"emscripten_num_logical_cores":_emscripten_num_logical_cores'],
  ['Module.instantiateWasm is honoured', 'Module["instantiateWasm"](info,receiveInstance)'],
  ['loaded workers are unref()ed', 'worker.unref()'],
  ['a running pthread ref()s its worker', 'worker.ref()'],
  ['the pthread workers are reachable as Module.PThread.runningWorkers', 'Module["PThread"]=PThread'],
];
const WORKER_FACTS: [string, string][] = [
  ['the worker loads a string urlOrBlob with importScripts', 'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}'],
  ['importScripts reads a file in Node', 'importScripts:function(f){(0,eval)(fs.readFileSync(f,"utf8")'],
];

export function threadedBuildFiles(): ThreadedBuildFiles {
  const dir = packageDir(PKG);
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  return {
    version,
    glue: join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js'),
    workerModule: join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js'),
    wasm: join(dir, 'dist', 'tfjs-backend-wasm-threaded-simd.wasm'),
  };
}

/** The worker script as tfjs builds its Blob (its newlines are escapes inside a string). */
function workerSource(files: ThreadedBuildFiles): string {
  const mod = localRequire(files.workerModule) as { wasmWorkerContents?: unknown };
  if (typeof mod.wasmWorkerContents !== 'string') throw new Error(`${files.workerModule} no longer exports wasmWorkerContents`);
  return mod.wasmWorkerContents.replace(/\n/g, '\\n');
}

/** Every internal the threaded start relies on; throws naming the first that changed. */
export function checkThreadedBuild(files = threadedBuildFiles()): void {
  for (const f of [files.glue, files.workerModule, files.wasm]) {
    if (!existsSync(f)) throw new Error(`${PKG} ${files.version}: ${f} is missing`);
  }
  const glue = readFileSync(files.glue, 'utf8');
  for (const [what, text] of GLUE_FACTS) {
    if (!glue.includes(text)) throw new Error(`${PKG} ${files.version} changed its threaded build: no longer true that ${what} (${text} not found in ${files.glue})`);
  }
  const worker = workerSource(files);
  for (const [what, text] of WORKER_FACTS) {
    if (!worker.includes(text)) throw new Error(`${PKG} ${files.version} changed its pthread worker: no longer true that ${what}`);
  }
}

/** Node's Worker needs a file: write the worker script once per content, atomically. */
function workerFile(files: ThreadedBuildFiles): string {
  const src = workerSource(files);
  const hash = createHash('sha256').update(src).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), 'effconv-studio');
  const file = join(dir, `tfjs-wasm-pthread-${files.version}-${hash}.cjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, src);
    renameSync(tmp, file);
  }
  return file;
}

interface NodeWorkerLike {
  unref(): void;
}
interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  PThread?: { runningWorkers: NodeWorkerLike[]; unusedWorkers: NodeWorkerLike[] };
  tfjs?: unknown;
}
/** WebAssembly as far as used here (the project's TypeScript lib has no DOM/wasm types). */
function wasmApi(): { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: unknown; module: unknown }> } {
  return (globalThis as unknown as { WebAssembly: ReturnType<typeof wasmApi> }).WebAssembly;
}
type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;
interface WasmPackage {
  BackendWasm: new (module: EmscriptenModule) => tf.KernelBackend;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

/** Start the threaded build with `threads` threads (the 'wasm' backend's factory). */
async function createThreadedBackend(threads: number): Promise<tf.KernelBackend> {
  const files = threadedBuildFiles();
  checkThreadedBuild(files);
  const worker = workerFile(files);
  const factory = localRequire(files.glue) as Factory;
  const pkg = (await import(PKG)) as unknown as WasmPackage;
  const binary = readFileSync(files.wasm);
  // Workers are unref()ed once loaded; until then this timer holds the event loop open, and
  // it turns a start that never finishes (a worker that cannot load) into an error.
  let timer: NodeJS.Timeout | undefined;
  let fail: (e: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
    timer = setTimeout(() => reject(new Error(`the threaded wasm build did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
  });
  try {
    const module = await Promise.race([failed, factory({
      locateFile: (path: string, prefix: string) => (path.endsWith('.worker.js') ? worker : path.endsWith('.wasm') ? files.wasm : prefix + path),
      mainScriptUrlOrBlob: files.glue,
      instantiateWasm: (info: { env: Record<string, unknown> }, receive: (instance: unknown, module: unknown) => void) => {
        if (typeof info.env.emscripten_num_logical_cores !== 'function') {
          fail(new Error('the threaded wasm build has no emscripten_num_logical_cores import'));
          return {};
        }
        // The backend caps its pool at logical cores / 2; report twice the wanted count.
        info.env.emscripten_num_logical_cores = () => threads * 2;
        wasmApi().instantiate(binary, info).then((r) => receive(r.instance, r.module), fail);
        return {};
      },
    })]);
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    pkg.setThreadsCount(threads);
    const backend = new pkg.BackendWasm(module);
    const got = pkg.getThreadsCount();
    if (got !== threads) {
      backend.dispose();
      throw new Error(`asked the threaded wasm build for ${threads} threads, it started ${got}`);
    }
    // The thread pool's pthreads run for the life of the backend and their workers are
    // ref()ed while they run, which would keep Node from ever exiting: let the process end
    // when its own work is done.
    if (!module.PThread) throw new Error('the threaded wasm build exposes no PThread');
    for (const w of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers]) w.unref();
    return backend;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Start the threaded build with `threads` threads (2…8) and make it the 'wasm' backend,
 * replacing tfjs's single-threaded registration (which stays when the start fails). Must run
 * before the wasm backend is first set.
 */
export async function registerThreadedWasm(threads: number): Promise<void> {
  if (!Number.isInteger(threads) || threads < 2 || threads > MAX_WASM_THREADS) {
    throw new Error(`wasm threads must be an integer 2…${MAX_WASM_THREADS}, got ${threads}`);
  }
  const backend = await createThreadedBackend(threads);
  if (tf.findBackendFactory('wasm')) tf.removeBackend('wasm');
  tf.registerBackend('wasm', () => backend, WASM_PRIORITY);
}

// Threads for the native kernels. With tfjs's threaded build the heap is shared memory, so
// worker_threads that instantiate the native kernels on the same memory can each take tasks of one
// kernel call. A call is split into a fixed number of tasks that never depends on the thread
// count, and partial results are combined in task order: 1 or 8 threads give the same bits.
// Without shared memory (the single-threaded build) the tasks run one after another here.
import type { KernelBackend } from '@tensorflow/tfjs-core';
import { Worker } from 'node:worker_threads';
import { kernelBuild, nativeKernels, wasmModuleOf } from './module';

/** Kernels that take (task, …args) and may run on any thread. */
const TASK_KERNELS = ['conv2d_task', 'conv_filter_grad_task', 'sum_partials_task', 'bn_sums_task', 'bn_apply_task', 'bn_grad_sums_task', 'bn_grad_apply_task'] as const;
export type TaskKernel = (typeof TASK_KERNELS)[number];

// Control block (Int32 indices) and argument block (Float64) in one SharedArrayBuffer. The
// workers are unref()ed and end with the process.
const SEQ = 0; // bumped for every job
const FN = 2;
const TASKS = 3;
const NEXT = 4; // next task to take
const EXITED = 5; // workers that have left the current job
const READY = 6;
const FAILED = 7;
const ARGC = 8;
const ARGS_BYTES = 64;
const MAX_ARGS = 32;
const STACK_BYTES = 64 << 10;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { memory, bytes, ctrl, stackTop, names } = workerData;
const I = new Int32Array(ctrl, 0, 16);
const A = new Float64Array(ctrl, ${ARGS_BYTES}, ${MAX_ARGS});
let fns;
try {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  inst.exports.__stack_pointer.value = stackTop;
  fns = names.map((n) => inst.exports[n]);
} catch (e) {
  Atomics.store(I, ${FAILED}, 1);
}
Atomics.add(I, ${READY}, 1);
Atomics.notify(I, ${READY});
let seen = 0;
while (fns) {
  Atomics.wait(I, ${SEQ}, seen);
  seen = Atomics.load(I, ${SEQ});
  const fn = fns[I[${FN}]];
  const n = I[${TASKS}];
  const args = Array.from(A.subarray(0, I[${ARGC}]));
  try {
    for (let t = Atomics.add(I, ${NEXT}, 1); t < n; t = Atomics.add(I, ${NEXT}, 1)) fn(t, ...args);
  } catch (e) {
    Atomics.store(I, ${FAILED}, 1);
  }
  Atomics.add(I, ${EXITED}, 1);
  Atomics.notify(I, ${EXITED});
}
`;

export interface TaskRunner {
  readonly threads: number;
  run(kernel: TaskKernel, tasks: number, args: number[]): void;
}

class SerialRunner implements TaskRunner {
  readonly threads = 1;
  constructor(private readonly backend: KernelBackend) {}
  run(kernel: TaskKernel, tasks: number, args: number[]): void {
    const fn = nativeKernels(this.backend)[kernel] as unknown as (...a: number[]) => void;
    for (let t = 0; t < tasks; t++) fn(t, ...args);
  }
}

class WorkerPool implements TaskRunner {
  private readonly i32: Int32Array;
  private readonly args: Float64Array;

  constructor(
    private readonly backend: KernelBackend,
    private readonly workers: Worker[],
    ctrl: SharedArrayBuffer,
  ) {
    this.i32 = new Int32Array(ctrl, 0, 16);
    this.args = new Float64Array(ctrl, ARGS_BYTES, MAX_ARGS);
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  run(kernel: TaskKernel, tasks: number, args: number[]): void {
    if (args.length > MAX_ARGS) throw new Error(`${kernel}: more than ${MAX_ARGS} arguments`);
    const I = this.i32;
    const fn = nativeKernels(this.backend)[kernel] as unknown as (...a: number[]) => void;
    I[FN] = TASK_KERNELS.indexOf(kernel);
    I[TASKS] = tasks;
    I[ARGC] = args.length;
    this.args.set(args);
    Atomics.store(I, NEXT, 0);
    Atomics.store(I, EXITED, 0);
    Atomics.add(I, SEQ, 1);
    Atomics.notify(I, SEQ);
    for (let t = Atomics.add(I, NEXT, 1); t < tasks; t = Atomics.add(I, NEXT, 1)) fn(t, ...args);
    // Every worker leaves the job before the next one may reuse the control block.
    for (let e = Atomics.load(I, EXITED); e < this.workers.length; e = Atomics.load(I, EXITED)) Atomics.wait(I, EXITED, e, 100);
    if (Atomics.load(I, FAILED)) throw new Error(`native kernel ${kernel} failed on a worker thread`);
  }
}

const runners = new WeakMap<object, TaskRunner>();

/** The task runner of this backend: its worker pool if one was started, else serial. */
export function taskRunner(backend: KernelBackend): TaskRunner {
  const module = wasmModuleOf(backend);
  let r = runners.get(module);
  if (!r) {
    r = new SerialRunner(backend);
    runners.set(module, r);
  }
  return r;
}

/**
 * Start threads − 1 workers for the native kernels of a backend whose heap is shared memory
 * (tfjs's threaded build). Resolves once every worker has instantiated the kernels.
 */
export async function startNativePool(backend: KernelBackend, threads: number): Promise<TaskRunner> {
  const module = wasmModuleOf(backend);
  const existing = runners.get(module);
  if (existing && existing.threads === threads) return existing;
  const memory = module.wasmMemory;
  if (threads < 2 || !memory || !(memory.buffer instanceof SharedArrayBuffer)) return taskRunner(backend);
  nativeKernels(backend); // the main thread's instance
  const ctrl = new SharedArrayBuffer(ARGS_BYTES + MAX_ARGS * 8);
  const I = new Int32Array(ctrl, 0, 16);
  const bytes = kernelBuild().shared;
  const workers: Worker[] = [];
  for (let w = 0; w < threads - 1; w++) {
    const stack = module._malloc(STACK_BYTES);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true, execArgv: [], stdout: false, stderr: false,
      workerData: { memory, bytes, ctrl, stackTop: stack + STACK_BYTES, names: [...TASK_KERNELS] },
    });
    worker.unref();
    workers.push(worker);
  }
  const deadline = Date.now() + 30_000;
  while (Atomics.load(I, READY) < workers.length) {
    if (Date.now() > deadline) throw new Error('native kernel threads did not start within 30 s');
    await new Promise((r) => setTimeout(r, 5));
  }
  if (Atomics.load(I, FAILED)) {
    for (const w of workers) void w.terminate();
    throw new Error('native kernel threads could not instantiate the kernels');
  }
  const pool = new WorkerPool(backend, workers, ctrl);
  runners.set(module, pool);
  return pool;
}

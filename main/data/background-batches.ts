// A worker thread that builds training batches ahead of the trainer: while step i runs on the
// main thread, the worker builds batch i+1 from the same split (shared memory or the library
// file) with the same code, so a batch is identical whichever thread built it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Batch } from '../engine/train/batch-source';
import type { ImageSetMeta, SplitSource } from './image-set';

export interface Augment {
  /** Zero padding before a random crop back to the input size; 0 = no crop. */
  crop: number;
  flip: boolean;
}

export type SamplerMeta = Pick<ImageSetMeta, 'height' | 'width' | 'channels' | 'classes' | 'mean' | 'std'>;

export interface WorkerInit {
  meta: SamplerMeta;
  source: SplitSource;
  batchSize: number;
  seed: number;
  augment: Augment;
}

export type WorkerReply = { id: number; x: Float32Array; labels: Int32Array; size: number } | { id: number; error: string };

/** The worker's entry: the built file beside the bundle, or the TypeScript source under tsx (tests). */
function workerScript(): { script: string | URL; eval: boolean } | null {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL('./batch-worker.ts', here).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    return { script: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`, eval: true };
  }
  for (const rel of ['./batch-worker.js', '../batch-worker.js']) {
    const url = new URL(rel, here);
    if (existsSync(fileURLToPath(url))) return { script: url, eval: false };
  }
  return null;
}

export class BatchWorker {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(b: Batch): void; reject(e: Error): void }>();
  private idleTimer: NodeJS.Timeout | null = null;
  closed = false;

  private constructor(script: { script: string | URL; eval: boolean }, init: WorkerInit, private readonly idleMs: number) {
    this.worker = new Worker(script.script, { eval: script.eval, workerData: init, name: 'effconv-batches' });
    this.worker.unref();
    this.worker.on('message', (m: WorkerReply) => this.reply(m));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`batch worker exited (code ${code})`)));
  }

  /** null when the worker's script is not there (a build without it): batches are then built in place. */
  static start(init: WorkerInit, idleMs = 10_000): BatchWorker | null {
    const script = workerScript();
    return script ? new BatchWorker(script, init, idleMs) : null;
  }

  request(epoch: number, index: number): Promise<Batch> {
    if (this.closed) return Promise.reject(new Error('batch worker is closed'));
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const id = this.nextId++;
    // Keep the process alive while an answer is owed; let it exit when the worker idles.
    this.worker.ref();
    return new Promise<Batch>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, epoch, index });
    });
  }

  private reply(m: WorkerReply): void {
    const w = this.waiting.get(m.id);
    this.waiting.delete(m.id);
    if (w) {
      if ('error' in m) w.reject(new Error(m.error));
      else w.resolve({ x: m.x, labels: m.labels, size: m.size });
    }
    if (this.waiting.size === 0 && !this.closed) {
      this.worker.unref();
      this.idleTimer = setTimeout(() => void this.close(), this.idleMs);
      this.idleTimer.unref();
    }
  }

  private fail(e: Error): void {
    this.closed = true;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.closed = true;
    this.fail(new Error('batch worker closed'));
    await this.worker.terminate();
  }
}

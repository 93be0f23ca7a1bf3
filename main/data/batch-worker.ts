// Worker-thread entry: opens the split described by the main thread and builds the batches it
// asks for with the same TrainSampler code (so they are identical to in-thread ones).
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerInit, WorkerReply } from './background-batches';
import { FileSplit } from './file-split';
import { MemorySplit, type ImageSplit } from './image-set';
import { TrainSampler } from './sampler';

const init = workerData as WorkerInit;
const s = init.source;
const split: ImageSplit =
  s.kind === 'file'
    ? new FileSplit(s.path, s.count, s.imageBytes, s.labels)
    : new MemorySplit(new Uint8Array(s.pixels, s.byteOffset, s.count * s.imageBytes), s.labels, s.imageBytes);
const sampler = new TrainSampler(init.meta, split, init.batchSize, init.seed, init.augment, { background: false });

parentPort!.on('message', (m: { id: number; epoch: number; index: number }) => {
  let reply: WorkerReply;
  try {
    const b = sampler.batchSync(m.epoch, m.index);
    reply = { id: m.id, x: b.x, labels: b.labels, size: b.size };
    parentPort!.postMessage(reply, [b.x.buffer as ArrayBuffer, b.labels.buffer as ArrayBuffer]);
  } catch (e) {
    reply = { id: m.id, error: e instanceof Error ? e.message : String(e) };
    parentPort!.postMessage(reply);
  }
});

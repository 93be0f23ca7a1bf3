// Inside a training step on wasm the only data that crosses between JavaScript and the heap
// is the batch going in, one-value constants, and the few scalars read for metrics (plus the
// stage-1 soft sizes, which decide the next step's shapes).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { TrainSampler } from '../../../main/data/sampler';
import { initBackend } from '../../../main/engine/backends/init';
import { DEFAULT_SEARCH_HYPERPARAMETERS, SearchModel } from '../../../main/engine/effconv/search-model';
import { describeNetwork, parseBackbone } from '../../../main/engine/models/backbone';
import { PlainModel } from '../../../main/engine/train/plain-model';
import { fashionMnist } from '../../helpers/data';

interface Transfers {
  uploads: number[];
  reads: number[];
}

/** Count what one step writes into and reads out of the backend (after a warm-up step). */
async function transfersOf(step: () => Promise<unknown>): Promise<Transfers> {
  const backend = tf.backend() as unknown as {
    write: (v: ArrayLike<number> | null, s: number[], d: string) => unknown;
    readSync: (id: object, a?: number, b?: number) => ArrayLike<number>;
  };
  await step();
  const t: Transfers = { uploads: [], reads: [] };
  const write = backend.write;
  const readSync = backend.readSync;
  backend.write = function (v, s, d) {
    if (v) t.uploads.push(v.length);
    return write.call(this, v, s, d);
  };
  backend.readSync = function (id, a, b) {
    const r = readSync.call(this, id, a, b);
    t.reads.push(r.length);
    return r;
  };
  try {
    await step();
  } finally {
    backend.write = write;
    backend.readSync = readSync;
  }
  return t;
}

test('a wasm step uploads only its batch and one-value constants, and reads only its metrics', async () => {
  await initBackend('wasm');
  const data = fashionMnist();
  const net = describeNetwork(parseBackbone('resnet8'), { height: 28, width: 28, channels: 1 }, 10);
  const sampler = new TrainSampler(data, data.train, 16, 1, { crop: 2, flip: false });
  const batch = await sampler.batch(0, 0);
  const images = batch.size * 28 * 28;
  const search = new SearchModel(net, 80_000, DEFAULT_SEARCH_HYPERPARAMETERS, 1);
  const s1 = await transfersOf(() => search.step(batch));
  search.dispose();
  const plain = new PlainModel(net, [3, 4, 2, 5, 1, 3], 1, { lr: 0.05, momentum: 0.9, weightDecay: 5e-4, nesterov: true });
  const s2 = await transfersOf(() => plain.step(batch, 0.05));
  plain.dispose();
  for (const [stage, t, reads] of [['stage 1', s1, [net.layers.length, 3, 1]], ['stage 2', s2, [2]]] as const) {
    const big = t.uploads.filter((n) => n > 1).sort((a, b) => b - a);
    assert.deepEqual(big, [images, batch.size], `${stage}: uploads other than the images, labels and scalars: ${big}`);
    assert.deepEqual([...t.reads].sort((a, b) => b - a), [...reads].sort((a, b) => b - a), `${stage}: reads ${t.reads}`);
  }
});

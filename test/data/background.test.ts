// The training feed's worker thread: batches built there are identical to those built in the
// calling thread (the (seed, epoch, index) contract holds), for in-memory splits, file-backed
// library splits and --limit-train views, and the worker really serves them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limitSplit } from '../../main/data/image-set';
import { importDataset, openLibraryDataset } from '../../main/data/library';
import { measureLoader } from '../../main/data/measure-loader';
import { TrainSampler } from '../../main/data/sampler';
import { fashionMnist, fixture } from '../helpers/data';
import { useTempLibrary } from '../helpers/library';

useTempLibrary('effconv-feed-');

/** Walk the batches as the trainers do (take i, hint i+1), across an epoch boundary. */
async function sameBatches(make: (background: boolean) => TrainSampler, steps: number) {
  const bg = make(true);
  const plain = make(false);
  try {
    const per = bg.batchesPerEpoch;
    const order = Array.from({ length: steps }, (_, k) => ({ epoch: Math.floor(k / per), index: k % per }));
    bg.prefetch(0, 0);
    for (let k = 0; k < steps; k++) {
      const { epoch, index } = order[k];
      const a = await bg.batch(epoch, index);
      if (k + 1 < steps) bg.prefetch(order[k + 1].epoch, order[k + 1].index);
      const b = await plain.batch(epoch, index);
      assert.deepEqual(a.labels, b.labels, `labels of (${epoch}, ${index})`);
      assert.ok(Buffer.from(a.x.buffer).equals(Buffer.from(b.x.buffer)), `pixels of (${epoch}, ${index})`);
      await new Promise((r) => setTimeout(r, 5)); // the "training step"
    }
    assert.ok(bg.servedInBackground >= steps - 2, `the worker served ${bg.servedInBackground} of ${steps}`);
    assert.equal(plain.servedInBackground, 0);
  } finally {
    await bg.close();
  }
}

test('in-memory Fashion-MNIST, crop, no flip: identical batches with and without the worker', async () => {
  const d = fashionMnist();
  await sameBatches((background) => new TrainSampler(d, limitSplit(d.train, 1000), 96, 11, { crop: 2, flip: false }, { background }), 14);
});

test('file-backed CIFAR-10 from the library, crop and flip, batch 128: identical batches', async () => {
  await importDataset(fixture('cifar10'));
  const d = openLibraryDataset('cifar-10', { inMemoryBytes: 0 });
  await sameBatches((background) => new TrainSampler(d, d.train, 128, 3, { crop: 4, flip: true }, { background }), 8);
  const loader = await measureLoader(d, { background: true, batches: 10 });
  assert.equal(loader.servedInBackground, 10);
  assert.ok(loader.imagesPerSecond > 0);
});

test('a split that cannot be shared falls back to building in place', async () => {
  const d = fashionMnist();
  const opaque = { count: 500, labels: d.train.labels.subarray(0, 500), image: (i: number) => d.train.image(i) };
  const s = new TrainSampler(d, opaque, 50, 1, { crop: 0, flip: false });
  s.prefetch(0, 1);
  await s.batch(0, 0);
  assert.equal((await s.batch(0, 1)).size, 50);
  assert.equal(s.servedInBackground, 0);
});

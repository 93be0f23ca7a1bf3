import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EvalSampler, TrainSampler, normalisationTable, writeAugmented } from '../../main/data/sampler';
import { FASHION, fashionMnist } from '../helpers/data';

test('Fashion-MNIST (the fixture) opens with 2,000/1,000 images, its counts per class and statistics', () => {
  const d = fashionMnist();
  assert.equal(d.train.count, FASHION.train);
  assert.equal(d.test.count, FASHION.test);
  const perClass = new Array(10).fill(0);
  for (const l of d.train.labels) perClass[l] += 1;
  assert.deepEqual(perClass, FASHION.trainPerClass); // fashion-mnist/SOURCE.md (numpy)
  // mean pixel 72.4043 (SOURCE.md) → 0.2839 in [0, 1] units
  assert.ok(Math.abs(d.mean[0] * 255 - FASHION.mean) < 0.001, `mean ${d.mean[0] * 255}`);
  assert.equal(d.flipSafe, false);
});

test('normalisation: (v/255 − mean)/std per channel', () => {
  const lut = normalisationTable({ channels: 2, mean: [0.5, 0.25], std: [0.5, 0.125] });
  assert.equal(lut[0], -1);
  assert.ok(Math.abs(lut[255] - 1) < 1e-6);
  assert.ok(Math.abs(lut[256 + 51] - (0.2 - 0.25) / 0.125) < 1e-6);
});

test('a crop at offset (dy, dx) from the zero-padded image shifts pixels exactly; a flip mirrors them', () => {
  const d = fashionMnist();
  const img = d.train.image(0);
  const shape = { height: 28, width: 28, channels: 1 };
  const lut = normalisationTable({ channels: 1, mean: [0], std: [1 / 255] }); // identity: value = pixel
  const out = new Float32Array(784);
  writeAugmented(img, out, 0, shape, lut, 2, 0, 4, false); // shift down 2, left 2
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const sy = y - 2;
      const sx = x + 2;
      const want = sy >= 0 && sx < 28 ? img[sy * 28 + sx] : 0;
      assert.ok(Math.abs(out[y * 28 + x] - want) < 1e-3, `(${y},${x})`);
    }
  }
  writeAugmented(img, out, 0, shape, lut, 0, 0, 0, true);
  for (let y = 0; y < 28; y += 5) for (let x = 0; x < 28; x++) assert.ok(Math.abs(out[y * 28 + x] - img[y * 28 + 27 - x]) < 1e-3);
});

test('training batches: seeded, a pure function of (epoch, index), every image once per epoch', async () => {
  const d = fashionMnist();
  const a = new TrainSampler(d, d.train, 100, 7, { crop: 2, flip: false });
  const b = new TrainSampler(d, d.train, 100, 7, { crop: 2, flip: false });
  assert.equal(a.batchesPerEpoch, 20);
  const b3 = await b.batch(2, 5);
  await a.batch(0, 0);
  const a3 = await a.batch(2, 5);
  assert.deepEqual(a3.labels, b3.labels);
  assert.deepEqual(a3.x, b3.x);
  assert.notDeepEqual((await a.batch(3, 5)).labels, a3.labels, 'a new epoch reshuffles');
  const counts = new Array(10).fill(0);
  for (let i = 0; i < a.batchesPerEpoch; i++) for (const l of (await a.batch(1, i)).labels) counts[l] += 1;
  assert.deepEqual(counts, FASHION.trainPerClass, 'one epoch covers each image exactly once');
});

test('evaluation batches cover the split in order without augmentation', async () => {
  const d = fashionMnist();
  const e = new EvalSampler(d, d.test);
  let n = 0;
  let first: Float32Array | null = null;
  for await (const b of e.batches(300)) {
    first ??= b.x.slice(0, 784);
    assert.deepEqual(Array.from(b.labels.slice(0, 3)), Array.from(d.test.labels.slice(n, n + 3)));
    n += b.size;
  }
  assert.equal(n, FASHION.test);
  const img = d.test.image(0);
  for (let i = 0; i < 784; i += 17) assert.ok(Math.abs(first![i] - (img[i] / 255 - d.mean[0]) / d.std[0]) < 1e-5);
});

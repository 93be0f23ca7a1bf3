// The sample data set that ships in resources/: the official MNIST test files (checked against
// their published MD5s), imported once into an empty library as 8,000 / 2,000 with a stratified
// seeded split; idempotent; a removal is respected until restore; two processes at once add it
// once; a stale lock is taken over; a user's own entry under its name is left alone. Also the
// idx importer's held-out split for a folder of test files only, on the MNIST fixture.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import { resourcesDir } from '../../main/common/resources';
import { parseIdxImages, parseIdxLabels } from '../../main/data/importers/idx';
import {
  ensureSampleDataset, getDataset, importDataset, listDatasets, openLibraryDataset, removeDataset, samplePath, SAMPLE_DATASET,
} from '../../main/data/library';
import { describePath } from '../../main/data/resolve';
import { fixture, REPO_ROOT } from '../helpers/data';
import { listing, useTempLibrary } from '../helpers/library';

const { home, datasets, work } = useTempLibrary('effconv-sample-');

function histogram(labels: ArrayLike<number>, classes = 10): number[] {
  const h = new Array(classes).fill(0);
  for (let i = 0; i < labels.length; i++) h[labels[i]] += 1;
  return h;
}

/** What --test-fraction f holds out of a class of n (at least one, never all). */
const heldOut = (n: number, f: number) => Math.min(n - 1, Math.max(1, Math.round(f * n)));

test('resources/ is found from the source tree; the sample files are the official MNIST test files', () => {
  assert.equal(resourcesDir(), join(REPO_ROOT, 'resources'));
  const md5 = (f: string) => createHash('md5').update(readFileSync(join(samplePath(), f))).digest('hex');
  // The published MD5s (torchvision's MNIST resources; resources/datasets/mnist/SOURCE.md).
  assert.equal(md5('t10k-images-idx3-ubyte.gz'), '9fb629c4189551a2d022fa330f9573f3');
  assert.equal(md5('t10k-labels-idx1-ubyte.gz'), 'ec29112dd5afa0611ce80d1b7f02629c');
});

test('first start: the sample goes into an empty library as 8,000 / 2,000, 20 % of each class held out', async () => {
  let announced = 0;
  const r = await ensureSampleDataset({ onAdding: () => (announced += 1) });
  assert.deepEqual(r, { name: 'mnist-sample', added: true });
  assert.equal(announced, 1);
  const d = getDataset('mnist-sample');
  assert.deepEqual([d.height, d.width, d.channels, d.classes], [28, 28, 1, 10]);
  assert.equal(d.sourceFormat, 'idx');
  assert.equal(d.flipSafe, false);
  const labels = parseIdxLabels(gunzipSync(readFileSync(join(samplePath(), 't10k-labels-idx1-ubyte.gz'))), 't10k-labels');
  const all = histogram(labels);
  assert.deepEqual(all, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]); // MNIST's published test histogram
  assert.deepEqual(d.splits.test.perClass, all.map((n) => heldOut(n, 0.2)));
  assert.deepEqual(d.splits.train.perClass, all.map((n) => n - heldOut(n, 0.2)));
  assert.deepEqual([d.splits.train.count, d.splits.test.count], [8000, 2000]);
  assert.equal(d.import.testFraction, 0.2);
  // The stored images are MNIST's, with their labels: a few of each split found in the source.
  const images = parseIdxImages(gunzipSync(readFileSync(join(samplePath(), 't10k-images-idx3-ubyte.gz'))), 't10k-images');
  const source = new Map<string, number>();
  for (let i = 0; i < images.count; i++) source.set(Buffer.from(images.pixels.subarray(i * 784, (i + 1) * 784)).toString('base64'), labels[i]);
  const set = openLibraryDataset('mnist-sample');
  for (const [split, idx] of [[set.train, [0, 1, 4321, 7999]], [set.test, [0, 999, 1999]]] as const) {
    for (const i of idx) assert.equal(source.get(Buffer.from(split.image(i)).toString('base64')), split.labels[i], `image ${i}`);
  }
  // Stored in a seeded shuffled order: the first 100 training images are not one class.
  assert.ok(new Set(set.train.labels.subarray(0, 100)).size >= 8);
});

test('idempotent: a second start adds nothing', async () => {
  const before = listing(datasets);
  assert.deepEqual(await ensureSampleDataset({ onAdding: () => assert.fail('imported again') }), { name: 'mnist-sample', added: false });
  assert.deepEqual(listing(datasets), before);
});

test('a removed sample stays removed until asked for, then comes back identical', async () => {
  const sha = getDataset('mnist-sample').sha256;
  removeDataset('mnist-sample');
  const r = await ensureSampleDataset();
  assert.equal(r.name, null);
  assert.match(r.reason!, /"mnist-sample" was removed from the library/);
  assert.deepEqual(listDatasets(), []);
  const back = await ensureSampleDataset({ restore: true });
  assert.deepEqual(back, { name: 'mnist-sample', added: true });
  assert.equal(getDataset('mnist-sample').sha256, sha, 'the same split (seeded) as the first time');
});

/** ensureSampleDataset in a separate process on `dir` as EFFCONV_HOME; resolves with its result. */
function inChild(dir: string): Promise<{ name: string | null; added: boolean }> {
  const code = `import { ensureSampleDataset } from ${JSON.stringify(join(REPO_ROOT, 'main/data/library.ts'))};
process.stdout.write(JSON.stringify(await ensureSampleDataset()));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { env: { ...process.env, EFFCONV_HOME: dir }, cwd: REPO_ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (c) => (c === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${c}: ${err}`))));
  });
}

test('two processes starting at once add the sample once', async () => {
  const dir = join(work, 'race');
  const results = await Promise.all([inChild(dir), inChild(dir), inChild(dir)]);
  assert.deepEqual(results.map((r) => r.name), ['mnist-sample', 'mnist-sample', 'mnist-sample']);
  assert.equal(results.filter((r) => r.added).length, 1, JSON.stringify(results));
  const top = listing(join(dir, 'datasets')).filter((l) => !/\/./.test(l)).map((l) => l.split(' ')[0].replace(/\/$/, ''));
  assert.deepEqual(top, ['.sample.json', 'mnist-sample'], 'one entry, the marker, no lock or temporary folder left');
});

test('while another live process holds the lock, a start waits for it instead of importing', async () => {
  const dir = join(work, 'held');
  mkdirSync(join(dir, 'datasets'), { recursive: true });
  const lock = join(dir, 'datasets', '.sample.lock');
  writeFileSync(lock, String(process.pid)); // this test process: alive
  let done = false;
  const child = inChild(dir).then((r) => ((done = true), r));
  await new Promise((r) => setTimeout(r, 6000));
  assert.equal(done, false, 'it waited');
  assert.ok(!existsSync(join(dir, 'datasets', 'mnist-sample')), 'and imported nothing meanwhile');
  rmSync(lock);
  assert.deepEqual(await child, { name: 'mnist-sample', added: true });
});

test('a lock left by a dead process is taken over', async () => {
  const dir = join(work, 'stale');
  mkdirSync(join(dir, 'datasets'), { recursive: true });
  const dead = await new Promise<number>((resolve) => {
    const c = spawn(process.execPath, ['-e', '0']);
    c.on('exit', () => resolve(c.pid!));
  });
  writeFileSync(join(dir, 'datasets', '.sample.lock'), String(dead));
  assert.deepEqual(await inChild(dir), { name: 'mnist-sample', added: true });
});

test("a user's own entry under the sample's name is left alone", async () => {
  const dir = join(work, 'taken');
  process.env.EFFCONV_HOME = dir;
  try {
    const mine = (await importDataset(fixture('mnist'), { name: SAMPLE_DATASET.name })).dataset;
    const r = await ensureSampleDataset();
    assert.equal(r.name, null);
    assert.match(r.reason!, /holds other data, so the sample was not added/);
    assert.equal(getDataset(SAMPLE_DATASET.name).sha256, mine.sha256);
    assert.equal((await ensureSampleDataset()).name, null, 'and it is not tried again');
  } finally {
    process.env.EFFCONV_HOME = home;
  }
});

test('idx: a folder with only the test pair holds out --test-fraction per class, seeded, pixels and labels intact', async () => {
  const dir = join(work, 'only-t10k');
  mkdirSync(dir);
  for (const f of ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) writeFileSync(join(dir, f), readFileSync(fixture('mnist', f)));
  assert.deepEqual(await describePath(dir), { format: 'idx', root: '' });
  const d = (await importDataset(dir, { name: 'only-test', testFraction: 0.1, seed: 3 })).dataset;
  const all = [42, 67, 55, 45, 55, 50, 43, 49, 40, 54]; // mnist/SOURCE.md: the fixture's 500 test labels
  assert.deepEqual(d.splits.test.perClass, all.map((n) => heldOut(n, 0.1)));
  assert.deepEqual(d.splits.train.perClass, all.map((n) => n - heldOut(n, 0.1)));
  assert.equal(d.import.testFraction, 0.1);
  assert.ok(d.notes.some((n) => /held out as the test split \(seed 3\)/.test(n)), d.notes.join('; '));
  const images = parseIdxImages(gunzipSync(readFileSync(join(dir, 't10k-images-idx3-ubyte.gz'))), 't10k');
  const labels = parseIdxLabels(gunzipSync(readFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'))), 't10k');
  const seen = new Map<string, number>();
  const s = openLibraryDataset('only-test');
  for (const split of [s.train, s.test]) for (let i = 0; i < split.count; i++) seen.set(Buffer.from(split.image(i)).toString('base64'), split.labels[i]);
  let found = 0;
  for (let i = 0; i < images.count; i++) if (seen.get(Buffer.from(images.pixels.subarray(i * 784, (i + 1) * 784)).toString('base64')) === labels[i]) found += 1;
  assert.equal(found, 500, 'every source image is stored once with its label');
  const again = await importDataset(dir, { name: 'only-test-seed4', testFraction: 0.1, seed: 4 });
  assert.notEqual(again.dataset.sha256, d.sha256, 'another seed holds out other images');
});

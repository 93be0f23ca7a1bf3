// Downloads against a real HTTP server on 127.0.0.1 serving the repository's real MNIST fixture
// files: a good download then import, the verified cache reused without a request, a connection
// dropped mid-body and resumed with Range (only the rest sent), a resume in a later call, a
// server that ignores Range, a checksum mismatch, 404, a redirect and a redirect loop, a refused
// connection, a server that never answers, a full disk; the library unchanged after each failure.
// Then the real registry's MNIST entries (official names and checksums) on the official t10k files.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { EffconvError } from '../../../main/contract/errors';
import { downloadDataset, type DownloadProgress } from '../../../main/data/download/download-dataset';
import { DATASET_REGISTRY, findRegistryEntry, type Registry, type RegistryEntry } from '../../../main/data/download/registry';
import { findDataset, getDataset, removeDataset, samplePath } from '../../../main/data/library';
import { openIdxFolder } from '../../../main/data/open-idx';
import { fixture } from '../../helpers/data';
import { startFileServer, type FileServer } from '../../helpers/file-server';
import { listing, useTempLibrary } from '../../helpers/library';

const { datasets, work } = useTempLibrary('effconv-download-');
const NAMES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
const bytes = Object.fromEntries(NAMES.map((n) => [n, readFileSync(fixture('mnist', n))]));
const hex = (algo: string, b: Buffer) => createHash(algo).update(b).digest('hex');
const TUNING = { retryDelayMs: 10, idleTimeoutMs: 3000 };

let server: FileServer;
before(async () => {
  server = await startFileServer(Object.fromEntries(NAMES.map((n) => [`/files/${n}`, bytes[n]])));
});
after(() => server.close());
// Each test starts without the entry a previous one may have imported.
beforeEach(() => {
  if (findDataset('digits')) removeDataset('digits');
});

/** A registry with one entry: the MNIST fixture's four files at `base`, with their real checksums. */
function registry(base: string, edit: (e: RegistryEntry) => void = () => {}): Registry {
  const e: RegistryEntry = {
    kind: 'download', name: 'digits', title: 'MNIST (the fixture)', homepage: '', licence: '', mirrors: [base],
    files: NAMES.map((name) => ({ name, bytes: bytes[name].length, md5: hex('md5', bytes[name]), sha256: hex('sha256', bytes[name]) })),
    importFrom: 'folder', import: { name: 'digits' }, images: { train: 1000, test: 500, height: 28, width: 28, channels: 1 },
  };
  edit(e);
  return [e];
}

let caches = 0;
const freshCache = () => join(work, `cache-${++caches}`);
const requestsFor = (path: string, from = 0) => server.log.slice(from).filter((r) => r.path === path);

async function failsLeavingLibrary(p: Promise<unknown>, code: string, pattern: RegExp) {
  const before = listing(datasets);
  await assert.rejects(p, (e: unknown) => e instanceof EffconvError && e.code === code && pattern.test(e.message), `${code} ${pattern.source}`);
  assert.deepEqual(listing(datasets), before, 'the library is unchanged');
}

test('a good download: four files fetched, verified, imported with the fixture\'s counts; progress reaches the total', async () => {
  const progress: DownloadProgress[] = [];
  const cacheRoot = freshCache();
  const r = await downloadDataset('digits', { registry: registry(`${server.url}/files/`), cacheRoot, tuning: TUNING }, { onProgress: (p) => progress.push(p) });
  assert.equal(r.alreadyInLibrary, false);
  assert.deepEqual(r.files.map((f) => [f.name, f.from, f.bytes]), NAMES.map((n) => [n, 'download', bytes[n].length]));
  const d = r.import!.dataset;
  assert.equal(d.name, 'digits');
  assert.deepEqual(d.splits.train.perClass, [97, 116, 99, 93, 105, 92, 94, 117, 87, 100]); // mnist/SOURCE.md
  assert.deepEqual(d.splits.test.perClass, [42, 67, 55, 45, 55, 50, 43, 49, 40, 54]);
  assert.equal(d.sha256, openIdxFolder(fixture('mnist')).sha256, 'the same data as the fixture itself');
  assert.deepEqual(readdirSync(join(cacheRoot, 'digits')).sort(), [...NAMES].sort(), 'the verified files, no .part left');
  const last = progress[progress.length - 1];
  assert.equal(last.allDone, last.allTotal);
  assert.equal(last.allTotal, NAMES.reduce((n, f) => n + bytes[f].length, 0));
  assert.ok(progress.every((p, i) => i === 0 || p.allDone >= progress[i - 1].allDone), 'monotonic');
  assert.ok(progress.some((p) => p.phase === 'verify'));
  // Reuse: with the entry removed, the same download takes its verified files from the cache.
  removeDataset('digits');
  const before = server.log.length;
  const again = await downloadDataset('digits', { registry: registry(`${server.url}/files/`), cacheRoot, tuning: TUNING });
  assert.deepEqual(again.files.map((f) => f.from), ['cache', 'cache', 'cache', 'cache']);
  assert.equal(server.log.length, before, 'no request made');
  assert.equal(again.import!.dataset.sha256, d.sha256);
  // And with the entry present, nothing is fetched or imported.
  const present = await downloadDataset('digits', { registry: registry(`${server.url}/files/`), cacheRoot, tuning: TUNING });
  assert.equal(present.alreadyInLibrary, true);
});

test('a connection dropped mid-body is resumed with Range: the second request asks for the rest and only the rest is sent', async () => {
  const path = '/files/train-images-idx3-ubyte.gz';
  const half = 70_000;
  server.dropOnce(path, half);
  const from = server.log.length;
  const r = await downloadDataset('digits', { registry: registry(`${server.url}/files/`), cacheRoot: freshCache(), tuning: TUNING });
  const reqs = requestsFor(path, from);
  assert.equal(reqs.length, 2);
  assert.deepEqual([reqs[0].range, reqs[0].status, reqs[0].sent], [null, 200, half]);
  // It asks for the rest of what reached its file (the bytes still in flight when the connection
  // ended may be fewer than the server wrote).
  const kept = Number(/^bytes=(\d+)-$/.exec(reqs[1].range ?? '')?.[1]);
  assert.ok(kept > 0 && kept <= half, `resumed from ${reqs[1].range}`);
  assert.match(reqs[1].ifRange ?? '', /^"[0-9a-f]{16}"$/, 'If-Range carries the ETag of the first response');
  assert.equal(reqs[1].status, 206);
  assert.equal(reqs[1].sent, bytes['train-images-idx3-ubyte.gz'].length - kept, 'only the rest was sent');
  assert.equal(r.import!.dataset.sha256, openIdxFolder(fixture('mnist')).sha256, 'the joined file is the original');
});

test('an interrupted download is resumed by the next call, from the bytes kept on disk', async () => {
  const path = '/files/train-labels-idx1-ubyte.gz';
  const cacheRoot = freshCache();
  server.dropOnce(path, 200);
  await failsLeavingLibrary(
    downloadDataset('digits', { registry: registry(`${server.url}/files/`), cacheRoot, tuning: { ...TUNING, retries: 0 } }),
    'NETWORK_UNAVAILABLE', /the connection dropped after 200 bytes.*200 bytes are kept: run the same command again to resume/,
  );
  assert.equal(readFileSync(join(cacheRoot, 'digits', 'train-labels-idx1-ubyte.gz.part')).length, 200);
  const from = server.log.length;
  const r = await downloadDataset('digits', { registry: registry(`${server.url}/files/`), cacheRoot, tuning: TUNING });
  const file = r.files.find((f) => f.name === 'train-labels-idx1-ubyte.gz')!;
  assert.deepEqual([file.from, file.resumedFrom], ['download', 200]);
  assert.equal(r.files[0].from, 'cache', 'the file finished before the failure is reused');
  const reqs = requestsFor(path, from);
  assert.deepEqual(reqs.map((q) => [q.range, q.status, q.sent]), [['bytes=200-', 206, bytes['train-labels-idx1-ubyte.gz'].length - 200]]);
});

test('a server that ignores Range: the file starts over cleanly and verifies', async () => {
  const path = '/files/t10k-images-idx3-ubyte.gz';
  server.ignoreRange(path);
  server.dropOnce(path, 30_000);
  const from = server.log.length;
  const r = await downloadDataset('digits', { registry: registry(`${server.url}/files/`), cacheRoot: freshCache(), tuning: TUNING });
  const reqs = requestsFor(path, from);
  assert.deepEqual(reqs.map((q) => [q.range, q.status]), [[null, 200], ['bytes=30000-', 200]]);
  assert.equal(reqs[1].sent, bytes['t10k-images-idx3-ubyte.gz'].length, 'the whole file again');
  assert.equal(r.import!.dataset.sha256, openIdxFolder(fixture('mnist')).sha256);
});

test('a checksum mismatch: named, the bad bytes discarded (not kept for a resume), nothing imported', async () => {
  const cacheRoot = freshCache();
  const bad = registry(`${server.url}/files/`, (e) => (e.files[3].md5 = '0'.repeat(32)));
  await failsLeavingLibrary(downloadDataset('digits', { registry: bad, cacheRoot, tuning: TUNING }), 'CHECKSUM_MISMATCH',
    /t10k-labels-idx1-ubyte\.gz from http:\/\/127\.0\.0\.1:\d+\/files\/t10k-labels-idx1-ubyte\.gz is not the published file: MD5 [0-9a-f]{32}, expected 0{32}\. The download was discarded/);
  assert.deepEqual(readdirSync(join(cacheRoot, 'digits')).filter((f) => f.startsWith('t10k-labels')), []);
  const size = registry(`${server.url}/files/`, (e) => (e.files[1].bytes += 1));
  await failsLeavingLibrary(downloadDataset('digits', { registry: size, cacheRoot: freshCache(), tuning: TUNING }), 'CHECKSUM_MISMATCH', /train-labels-idx1-ubyte\.gz .*: \d+ bytes, expected \d+/);
  const sha = registry(`${server.url}/files/`, (e) => (e.files[0].sha256 = 'f'.repeat(64)));
  await failsLeavingLibrary(downloadDataset('digits', { registry: sha, cacheRoot: freshCache(), tuning: TUNING }), 'CHECKSUM_MISMATCH', /SHA-256 [0-9a-f]{64}, expected f{64}/);
});

test('404: named with the URL and what to check; the library is unchanged', async () => {
  const missing = registry(`${server.url}/files/`, (e) => (e.files[2].name = 't10k-images-idx3-ubyte.gz.missing'));
  await failsLeavingLibrary(downloadDataset('digits', { registry: missing, cacheRoot: freshCache(), tuning: TUNING }), 'DOWNLOAD_NOT_FOUND',
    /cannot download http:\/\/127\.0\.0\.1:\d+\/files\/t10k-images-idx3-ubyte\.gz\.missing: the server has no such file \(HTTP 404\)/);
});

test('a redirect is followed; a redirect loop is named as one', async () => {
  for (const n of NAMES) server.redirect(`/moved/${n}`, `/files/${n}`);
  const r = await downloadDataset('digits', { registry: registry(`${server.url}/moved/`), cacheRoot: freshCache(), tuning: TUNING });
  assert.equal(r.files[0].url, `${server.url}/files/train-images-idx3-ubyte.gz`);
  assert.equal(r.import!.dataset.splits.train.count, 1000);
  removeDataset('digits');
  server.redirect('/loop/train-images-idx3-ubyte.gz', '/loop/b');
  server.redirect('/loop/b', '/loop/train-images-idx3-ubyte.gz');
  await failsLeavingLibrary(downloadDataset('digits', { registry: registry(`${server.url}/loop/`), cacheRoot: freshCache(), tuning: TUNING }), 'DOWNLOAD_REDIRECT_LOOP',
    /the server redirects in a loop \(.*\/loop\/train-images-idx3-ubyte\.gz → .*\/loop\/b → .*\/loop\/train-images-idx3-ubyte\.gz\)/);
});

test('no network: a refused connection and a server that never answers are named, with what to do', async () => {
  const closed = await startFileServer({});
  const port = new URL(closed.url).port;
  await closed.close();
  await failsLeavingLibrary(downloadDataset('digits', { registry: registry(`http://127.0.0.1:${port}/`), cacheRoot: freshCache(), tuning: TUNING }), 'NETWORK_UNAVAILABLE',
    /127\.0\.0\.1:\d+ refused the connection\. Check the connection .*--mirror URL/);
  server.hang('/hang/train-images-idx3-ubyte.gz');
  await failsLeavingLibrary(downloadDataset('digits', { registry: registry(`${server.url}/hang/`), cacheRoot: freshCache(), tuning: { retryDelayMs: 10, idleTimeoutMs: 300, retries: 1 } }), 'NETWORK_UNAVAILABLE',
    /no answer from 127\.0\.0\.1:\d+ for 0\.3 s \(2 attempts\)/);
});

test('a cancel (Ctrl-C) while waiting on the server ends with CANCELLED and keeps the library as it was', async () => {
  server.hang('/slow/train-images-idx3-ubyte.gz');
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 200);
  await failsLeavingLibrary(downloadDataset('digits', { registry: registry(`${server.url}/slow/`), cacheRoot: freshCache(), tuning: TUNING }, { signal: abort.signal }), 'CANCELLED', /cancelled/);
});

test('a disk without room for the download and the import is refused before anything is fetched', async () => {
  const from = server.log.length;
  await failsLeavingLibrary(downloadDataset('digits', { registry: registry(`${server.url}/files/`), cacheRoot: freshCache(), tuning: TUNING, freeBytes: () => 100_000 }), 'DISK_FULL',
    /not enough disk space for digits: it needs about [\d.]+ MB .* and .* has 0\.1 MB free/);
  assert.equal(server.log.length, from);
});

test('the real registry: MNIST entries hold the official names, sizes and checksums (the official t10k files verify)', async () => {
  const mnist = findRegistryEntry(DATASET_REGISTRY, 'MNIST') as RegistryEntry;
  assert.equal(findRegistryEntry(DATASET_REGISTRY, 'cifar10').name, 'cifar-10');
  const official = await startFileServer(Object.fromEntries(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((n) => [`/mnist/${n}`, readFileSync(join(samplePath(), n))])));
  try {
    // Only the t10k pair (the train files are 9.9 MB, not in the repository): verified against the
    // registry's official MD5 and SHA-256, then imported with a held-out split.
    const t10k: Registry = [{ ...mnist, name: 'mnist-t10k', files: mnist.files.filter((f) => f.name.startsWith('t10k')), import: { name: 'mnist-t10k' } }];
    const r = await downloadDataset('mnist-t10k', { registry: t10k, mirror: `${official.url}/mnist`, cacheRoot: freshCache(), tuning: TUNING });
    assert.deepEqual(r.files.map((f) => [f.name, f.from, f.url]), [
      ['t10k-images-idx3-ubyte.gz', 'download', `${official.url}/mnist/t10k-images-idx3-ubyte.gz`],
      ['t10k-labels-idx1-ubyte.gz', 'download', `${official.url}/mnist/t10k-labels-idx1-ubyte.gz`],
    ]);
    const d = getDataset('mnist-t10k');
    assert.equal(d.splits.train.count + d.splits.test.count, 10_000);
    assert.deepEqual(d.splits.train.perClass.map((n, c) => n + d.splits.test.perClass[c]), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    // The whole entry on that server: the train files are missing there, so it stops, naming the first.
    await failsLeavingLibrary(downloadDataset('mnist', { mirror: `${official.url}/mnist/`, cacheRoot: freshCache(), tuning: TUNING }), 'DOWNLOAD_NOT_FOUND',
      /mnist\/train-images-idx3-ubyte\.gz: the server has no such file \(HTTP 404\)/);
  } finally {
    await official.close();
  }
  assert.ok(!existsSync(join(datasets, 'mnist')));
});

test('imagenet32 explains the login and the import instead of downloading', async () => {
  await failsLeavingLibrary(downloadDataset('imagenet32'), 'DOWNLOAD_MANUAL', /sign in \(or register\) at https:\/\/image-net\.org.*\n.*Imagenet32_train_npz\.zip.*\n.*\n.*effconv dataset import FOLDER/s);
  await assert.rejects(downloadDataset('nope'), /no data set "nope" to download: choose one of mnist, fashion-mnist, cifar-10, cifar-100, stl-10, imagenet32/);
});

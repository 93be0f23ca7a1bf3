// Downloads through the Api, as the Datasets screen and `effconv dataset download` make them,
// against a real HTTP server on 127.0.0.1 serving the repository's real files: the list with
// sizes and what is already here; a good download in a task process of its own (progress in
// bytes with the file and an ETA, then the import's phases, then the outcome as the last
// 'task' event); the real registry's MNIST through a mirror given in the request or by
// EFFCONV_DATASET_MIRROR (a file the mirror lacks: DOWNLOAD_NOT_FOUND); a file that is not the
// published one (CHECKSUM_MISMATCH); a cancel; what is refused before anything starts. The
// library is unchanged after each failure.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TaskEvent } from '../../../main/contract/api';
import { EffconvError } from '../../../main/contract/errors';
import { homePaths } from '../../../main/common/paths';
import { ForegroundRuns } from '../../../main/api/processes/foreground-runs';
import { builtWorkerPath, nodeWorkerLauncher } from '../../../main/api/processes/launcher';
import { TASK_SCRIPT, type FromTask, type ToTask } from '../../../main/api/processes/task-protocol';
import { inProcessTasks, processTasks, type TaskRunner } from '../../../main/api/processes/tasks';
import { createService, type Service } from '../../../main/api/service/service';
import { DATASET_REGISTRY, type Registry, type RegistryEntry } from '../../../main/data/download/registry';
import { removeDataset, samplePath } from '../../../main/data/library';
import { openIdxFolder } from '../../../main/data/open-idx';
import { fixture } from '../../helpers/data';
import { startFileServer, type FileServer } from '../../helpers/file-server';
import { listing, useTempLibrary } from '../../helpers/library';

const { home, datasets } = useTempLibrary('effconv-api-download-');
const NAMES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
const cut = Object.fromEntries(NAMES.map((n) => [n, readFileSync(fixture('mnist', n))]));
const hex = (algo: string, b: Buffer) => createHash(algo).update(b).digest('hex');

let server: FileServer;
/** The app's registry, and "digits": the MNIST fixture's four files with their real checksums on the test server. */
let registry: Registry;

before(async () => {
  server = await startFileServer({
    ...Object.fromEntries(NAMES.map((n) => [`/fixture/${n}`, cut[n]])),
    // The official MNIST test files under their official names (the train files are not in the repository).
    ...Object.fromEntries(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((n) => [`/mnist/${n}`, readFileSync(join(samplePath(), n))])),
    // Fashion-MNIST's names, the fixture's cut bytes: not the published files.
    '/fashion/train-images-idx3-ubyte.gz': readFileSync(fixture('fashion-mnist', 'train-images-idx3-ubyte.gz')),
  });
  const digits: RegistryEntry = {
    kind: 'download', name: 'digits', title: 'MNIST (the fixture)', homepage: '', licence: 'CC BY-SA 3.0', mirrors: [`${server.url}/fixture/`],
    files: NAMES.map((name) => ({ name, bytes: cut[name].length, md5: hex('md5', cut[name]), sha256: hex('sha256', cut[name]) })),
    importFrom: 'folder', import: { name: 'digits' }, images: { train: 1000, test: 500, height: 28, width: 28, channels: 1 },
  };
  registry = [digits, ...DATASET_REGISTRY];
});
after(() => server.close());

function service(tasks: TaskRunner = inProcessTasks()): Service {
  return createService({ mode: 'web', version: 'test', paths: homePaths(home), executor: (store) => new ForegroundRuns(store), tasks, offerSample: false, datasetRegistry: registry });
}

/** Start a download through the Api; `events` resolves with its events up to the last. */
async function startDownload(s: Service, name: string, mirror?: string): Promise<{ id: string; events: Promise<TaskEvent[]> }> {
  const events: TaskEvent[] = [];
  let id = '';
  let finish = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const unsubscribe = s.hub.subscribe((e) => {
    if (e.kind !== 'task') return;
    events.push(e);
    if (id && e.taskId === id && e.status !== 'running') finish();
  });
  id = (await s.api.downloadDataset({ name, ...(mirror ? { mirror } : {}) })).id;
  if (events.some((e) => e.taskId === id && e.status !== 'running')) finish();
  return {
    id,
    events: finished.then(() => {
      unsubscribe();
      const mine = events.filter((e) => e.taskId === id);
      assert.ok(mine.every((e) => e.task === 'download' && e.name === registry.find((r) => r.name.toLowerCase() === name.toLowerCase())!.name));
      return mine;
    }),
  };
}

const download = async (s: Service, name: string, mirror?: string) => (await startDownload(s, name, mirror)).events;

const last = (events: TaskEvent[]) => events[events.length - 1];

test('downloadableDatasets: every registry entry with its files and sizes; imagenet32 says how to get it by hand', async () => {
  const s = service();
  try {
    const all = await s.api.downloadableDatasets();
    assert.deepEqual(all.map((d) => d.name), ['digits', 'mnist', 'fashion-mnist', 'cifar-10', 'cifar-100', 'stl-10', 'imagenet32']);
    const mnist = all.find((d) => d.name === 'mnist')!;
    assert.equal(mnist.downloadBytes, 9_912_422 + 28_881 + 1_648_877 + 4_542);
    assert.equal(mnist.libraryBytes, 70_000 * (28 * 28 + 2));
    assert.deepEqual([mnist.inLibrary, mnist.cachedBytes, mnist.taskId, mnist.libraryName], [false, 0, null, 'mnist']);
    const inet = all.find((d) => d.name === 'imagenet32')!;
    assert.equal(inet.kind, 'manual');
    assert.match(inet.steps.join('\n'), /sign in .*image-net\.org.*\n.*Imagenet32_train_npz\.zip.*\n.*\n.*effconv dataset import FOLDER/s);
  } finally {
    await s.close();
  }
});

test('a good download in a task process: bytes with the file and an ETA, then the import, then the outcome; listed as in the library', async () => {
  const s = service(processTasks(nodeWorkerLauncher<ToTask, FromTask>(builtWorkerPath(TASK_SCRIPT))));
  try {
    const events = await download(s, 'digits');
    const end = last(events);
    assert.equal(end.status, 'done', JSON.stringify(end.error));
    assert.equal(end.task, 'download');
    const outcome = end.task === 'download' ? end.result! : assert.fail();
    assert.deepEqual(outcome.files.map((f) => [f.name, f.from, f.bytes]), NAMES.map((n) => [n, 'download', cut[n].length]));
    assert.equal(outcome.import!.created, true);
    const d = outcome.import!.dataset;
    assert.deepEqual([d.name, d.format, d.counts.train, d.counts.test], ['digits', 'idx', [97, 116, 99, 93, 105, 92, 94, 117, 87, 100], [42, 67, 55, 45, 55, 50, 43, 49, 40, 54]]); // mnist/SOURCE.md
    assert.equal(d.sha256, openIdxFolder(fixture('mnist')).sha256, 'the same data as the fixture itself');
    // Progress: bytes of all four files, rising to their total, naming each file; then the import's phases in images.
    const total = NAMES.reduce((n, f) => n + cut[f].length, 0);
    const bytes = events.filter((e) => e.status === 'running' && e.unit === 'bytes');
    assert.ok(bytes.every((e, i) => e.total === total && (i === 0 || e.done >= bytes[i - 1].done)), 'monotonic, of the whole download');
    assert.equal(bytes[bytes.length - 1].done, total);
    assert.equal(bytes[bytes.length - 1].etaSeconds, 0, 'nothing left at the end');
    assert.deepEqual([...new Set(bytes.map((e) => (e.task === 'download' ? e.file?.name : '')))], NAMES);
    assert.ok(bytes.some((e) => e.phase === 'verify') && bytes.some((e) => e.phase === 'download'));
    const imports = events.filter((e) => e.status === 'running' && e.unit === 'items' && e.phase !== 'starting');
    assert.ok(imports.length > 0 && events.indexOf(imports[0]) > events.indexOf(bytes[bytes.length - 1]), 'the import follows the download');
    // Now in the library, its files in the download cache; a second download finds it there.
    assert.deepEqual((await s.api.listDatasets()).map((x) => x.name), ['digits']);
    const listed = (await s.api.downloadableDatasets()).find((x) => x.name === 'digits')!;
    assert.deepEqual([listed.inLibrary, listed.cachedBytes, listed.taskId], [true, total, null]);
    const again = last(await download(s, 'DIGITS'));
    assert.equal(again.status, 'done');
    assert.equal(again.task === 'download' && again.result!.alreadyInLibrary, true);
    assert.match(again.phase, /already in the library as "digits"/);
  } finally {
    removeDataset('digits');
    await s.close();
  }
});

test('the real MNIST entry through a mirror given in the request, then by EFFCONV_DATASET_MIRROR: the file it lacks is named (DOWNLOAD_NOT_FOUND); the library unchanged', async () => {
  const s = service();
  const before = listing(datasets);
  try {
    const from = server.log.length;
    const end = last(await download(s, 'mnist', `${server.url}/mnist`));
    assert.equal(end.status, 'failed');
    assert.equal(end.error!.code, 'DOWNLOAD_NOT_FOUND');
    assert.match(end.error!.message, /cannot download http:\/\/127\.0\.0\.1:\d+\/mnist\/train-images-idx3-ubyte\.gz: the server has no such file \(HTTP 404\)/);
    assert.deepEqual(server.log.slice(from).map((q) => q.path), ['/mnist/train-images-idx3-ubyte.gz'], 'only the mirror was asked');
    process.env.EFFCONV_DATASET_MIRROR = `${server.url}/mnist/`;
    try {
      const env = last(await download(s, 'mnist'));
      assert.equal(env.error!.code, 'DOWNLOAD_NOT_FOUND');
      assert.equal(server.log[server.log.length - 1].path, '/mnist/train-images-idx3-ubyte.gz');
    } finally {
      delete process.env.EFFCONV_DATASET_MIRROR;
    }
    assert.deepEqual(listing(datasets), before);
  } finally {
    await s.close();
  }
});

test('a file that is not the published one: CHECKSUM_MISMATCH as the last event, nothing kept or imported', async () => {
  const s = service();
  const before = listing(datasets);
  try {
    const end = last(await download(s, 'fashion-mnist', `${server.url}/fashion/`));
    assert.equal(end.status, 'failed');
    assert.equal(end.error!.code, 'CHECKSUM_MISMATCH');
    assert.match(end.error!.message, /train-images-idx3-ubyte\.gz from http:\/\/127\.0\.0\.1:\d+\/fashion\/train-images-idx3-ubyte\.gz is not the published file/);
    assert.deepEqual(listing(datasets), before);
    assert.equal((await s.api.downloadableDatasets()).find((x) => x.name === 'fashion-mnist')!.cachedBytes, 0);
  } finally {
    await s.close();
  }
});

test('cancelTask stops a download ("cancelled", no error); a second call for the same set meanwhile follows the same task', async () => {
  const s = service();
  const before = listing(datasets);
  server.hang('/slow/train-images-idx3-ubyte.gz');
  try {
    const { id, events: finished } = await startDownload(s, 'mnist', `${server.url}/slow/`);
    const second = (await s.api.downloadDataset({ name: 'mnist' })).id;
    assert.equal(second, id, 'the second call got the running task');
    assert.equal((await s.api.downloadableDatasets()).find((x) => x.name === 'mnist')!.taskId, id);
    await s.api.cancelTask(id);
    const events = await finished;
    const end = last(events);
    assert.deepEqual([end.status, end.phase, end.error], ['cancelled', 'cancelled', undefined]);
    assert.equal((await s.api.downloadableDatasets()).find((x) => x.name === 'mnist')!.taskId, null);
    await assert.rejects(s.api.cancelTask(end.taskId), (e: unknown) => e instanceof EffconvError && e.code === 'NOT_FOUND');
    assert.deepEqual(listing(datasets), before);
  } finally {
    await s.close();
  }
});

test('refused before anything starts: an unknown name, ImageNet-32 (the steps by hand), a mirror that is not a URL', async () => {
  const s = service();
  try {
    const refused = async (req: { name: string; mirror?: string }, code: string, pattern: RegExp) =>
      assert.rejects(s.api.downloadDataset(req), (e: unknown) => e instanceof EffconvError && e.code === code && pattern.test(e.message));
    await refused({ name: 'nope' }, 'INVALID_ARGUMENT', /no data set "nope" to download: choose one of digits, mnist, fashion-mnist/);
    await refused({ name: 'imagenet32' }, 'DOWNLOAD_MANUAL', /cannot be downloaded by EffConv Studio:\n {2}1\. ImageNet-32 is only given to registered users/);
    await refused({ name: 'mnist', mirror: 'ftp://example.org/' }, 'INVALID_ARGUMENT', /--mirror must be an http or https URL, got "ftp:\/\/example\.org\/"/);
  } finally {
    await s.close();
  }
});

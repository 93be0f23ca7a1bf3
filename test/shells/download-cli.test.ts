// effconv dataset download as users run it (the built CLI), against a local server holding the
// official MNIST test files under their official names (resources/datasets/mnist): the list of
// what can be downloaded, --mirror and EFFCONV_DATASET_MIRROR, the exit code and message of a
// file the server lacks and of a file that is not the published one, the library unchanged,
// and the manual steps for ImageNet-32. (The full 60,000 / 10,000 MNIST download, whose train
// files are not in the repository, is checked by hand: README, Datasets.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { samplePath } from '../../main/data/library';
import { fixture, REPO_ROOT } from '../helpers/data';
import { startFileServer, type FileServer } from '../helpers/file-server';
import { listing, useTempLibrary } from '../helpers/library';

const { home, datasets } = useTempLibrary('effconv-dl-cli-');
let server: FileServer;
before(async () => {
  const official = ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((n) => [`/mnist/${n}`, readFileSync(join(samplePath(), n))]);
  // Fashion-MNIST's names, but the fixture's cut files: not the published bytes.
  const cut = ['train-images-idx3-ubyte.gz'].map((n) => [`/fashion/${n}`, readFileSync(fixture('fashion-mnist', n))]);
  server = await startFileServer(Object.fromEntries([...official, ...cut]));
});
after(() => server.close());

/** The CLI in a child process, without blocking this process (it serves the files). */
function effconv(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/effconv.js'), ...args], { env: { ...process.env, EFFCONV_HOME: home, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('without a name: what can be downloaded, with sizes', async () => {
  const r = await effconv(['dataset', 'download']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^NAME\s+DOWNLOAD\s+LIBRARY\s+TRAIN \/ TEST\s+WHAT\n/);
  assert.match(r.stdout, /\nmnist\s+11\.1 MiB\s+52\.5 MiB\s+60,000 \/ 10,000\s+MNIST/);
  assert.match(r.stdout, /\ncifar-10\s+162\.2 MiB/);
  assert.match(r.stdout, /\nstl-10\s+2\.46 GiB/);
  assert.match(r.stdout, /\nimagenet32\s.*needs a login/);
});

test('--mirror: the official file names from another server; a file it lacks exits 6 naming it, the library unchanged', async () => {
  await effconv(['dataset', 'list']); // the first start (the sample) out of the way
  const before = listing(datasets);
  const r = await effconv(['dataset', 'download', 'mnist', '--mirror', `${server.url}/mnist`]);
  assert.equal(r.code, 6, r.stderr);
  assert.match(r.stderr, /effconv: cannot download http:\/\/127\.0\.0\.1:\d+\/mnist\/train-images-idx3-ubyte\.gz: the server has no such file \(HTTP 404\)\. Check the name, or the --mirror URL/);
  assert.deepEqual(listing(datasets), before);
  assert.deepEqual(server.log.map((q) => q.path), ['/mnist/train-images-idx3-ubyte.gz']);
});

test('EFFCONV_DATASET_MIRROR: a file that is not the published one exits 6 with CHECKSUM_MISMATCH\'s message; nothing kept', async () => {
  const before = listing(datasets);
  const r = await effconv(['dataset', 'download', 'fashion-mnist', '--quiet'], { EFFCONV_DATASET_MIRROR: `${server.url}/fashion/` });
  assert.equal(r.code, 6, r.stderr);
  assert.match(r.stderr, /train-images-idx3-ubyte\.gz from http:\/\/127\.0\.0\.1:\d+\/fashion\/train-images-idx3-ubyte\.gz is not the published file: 862787 bytes, expected 26421880\. The download was discarded and the library is unchanged/);
  assert.deepEqual(listing(datasets), before);
  const cache = join(home, 'downloads', 'fashion-mnist');
  assert.ok(!existsSync(cache) || readdirSync(cache).length === 0, 'no file or .part left in the download cache');
});

test('imagenet32: the login and the import that follows, exit 2', async () => {
  const r = await effconv(['dataset', 'download', 'imagenet32']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /1\. ImageNet-32 is only given to registered users/);
  assert.match(r.stderr, /4\. Import that folder: effconv dataset import FOLDER/);
});

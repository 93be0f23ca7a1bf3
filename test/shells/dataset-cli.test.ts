// effconv dataset … as users run it (the built CLI) on the repository's real fixtures: import,
// list, show, remove, duplicates, a killed and a cancelled import, and training from the library.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EffconvConfig } from '../../main/contract/config';
import type { DatasetInfo, ImportOutcome } from '../../main/contract/api';
import { REPO_ROOT, fixture } from '../helpers/data';
import { listing, useTempLibrary } from '../helpers/library';

const { home, datasets, work } = useTempLibrary('effconv-dscli-');
const env = { ...process.env, EFFCONV_HOME: home };
const bin = join(REPO_ROOT, 'bin/effconv.js');

function effconv(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, timeout: 600_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('import --json, list, show: counts per class and split, shape, mean/std, source, checksum', () => {
  const r = effconv('dataset', 'import', fixture('cifar10'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as ImportOutcome;
  assert.equal(out.created, true);
  assert.equal(out.dataset.counts.test.reduce((a, b) => a + b, 0), 100);
  assert.match(r.stderr, /reading 0\/6.*\n/, 'plain progress lines when not on a terminal');
  assert.match(r.stderr, /imported "cifar-10" \(cifar10\): 350 train \/ 100 test, 32×32×3, 10 classes/);

  const list = effconv('dataset', 'list');
  assert.equal(list.code, 0);
  assert.match(list.stdout, /^NAME\s+FORMAT\s+SHAPE\s+CLASSES\s+TRAIN\s+TEST/);
  assert.match(list.stdout, /cifar-10\s+cifar10\s+32×32×3\s+10\s+350\s+100/);

  const show = effconv('dataset', 'show', 'cifar-10');
  assert.equal(show.code, 0);
  assert.ok(show.stdout.includes(`sha256     ${out.dataset.sha256}`));
  assert.ok(show.stdout.includes(`from ${fixture('cifar10')}`));
  assert.match(show.stdout, /mean\s+0\.4919 0\.4809 0\.4415/); // 125.44 / 122.63 / 112.58 (cifar10/SOURCE.md) ÷ 255
  assert.match(show.stdout, /0 airplane\s+31\s+10\n/);
  const json = JSON.parse(effconv('dataset', 'show', 'cifar-10', '--json').stdout) as DatasetInfo;
  assert.deepEqual(json, out.dataset);
});

test('re-importing the same data says so and adds nothing; a bad path exits 4 naming it', () => {
  const before = listing(datasets);
  const r = effconv('dataset', 'import', fixture('cifar10'), '--name', 'other');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /identical data is already in the library as "cifar-10".*nothing added/);
  const bad = effconv('dataset', 'import', join(work, 'missing'));
  assert.equal(bad.code, 4);
  assert.match(bad.stderr, /missing: no such file or folder/);
  assert.deepEqual(listing(datasets), before);
});

test('run --dataset <library name> trains from the library', () => {
  const out = join(work, 'run');
  const r = effconv('run', '--backbone', 'resnet8', '--dataset', 'cifar-10', '--budget', '60k', '--search-epochs', '1', '--train-epochs', '1',
    '--batch-size', '32', '--train-batch-size', '32', '--limit-train', '64', '--limit-test', '64', '--backend', 'wasm', '--out', out, '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as EffconvConfig;
  const meta = JSON.parse(effconv('dataset', 'show', 'cifar-10', '--json').stdout) as DatasetInfo;
  assert.deepEqual(cfg.dataset, { name: 'cifar-10', sha256: meta.sha256, source: 'cifar-10', trainImages: 64, testImages: 64 });
  assert.equal(cfg.search!.steps, 2);
  const path = effconv('run', '--backbone', 'resnet8', '--dataset', fixture('cifar10'), '--out', join(work, 'run2'));
  assert.equal(path.code, 4);
  assert.match(path.stderr, /import it once with `effconv dataset import .*cifar10`/);
});

// A folder of 17 × 24 real photos (the hymenoptera fixture's, each copied 24 times under new
// names), so decoding lasts long enough to be interrupted in the middle.
const photos = join(work, 'many-photos');
for (const split of ['train', 'val']) {
  for (const cls of ['ants', 'bees']) {
    const from = fixture('hymenoptera', 'hymenoptera_data', split, cls);
    mkdirSync(join(photos, split, cls), { recursive: true });
    for (const f of readdirSync(from)) for (let k = 0; k < 24; k++) copyFileSync(join(from, f), join(photos, split, cls, `${k}-${f}`));
  }
}
const PHOTOS = 17 * 24;

/** Start an import and act once its progress shows it is decoding images. */
function importUntilDecoding(name: string, act: (pid: number) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; sawTemp: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'dataset', 'import', photos, '--name', name], { env });
    let stderr = '';
    let acted = false;
    let sawTemp = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!acted && new RegExp(`decoding \\d+/${PHOTOS}`).test(stderr)) {
        acted = true;
        sawTemp = readdirSync(datasets).some((n) => n.startsWith(`.import-${child.pid}-`));
        act(child.pid!);
      }
    });
    child.on('exit', (code, signal) => resolve({ code, signal, stderr, sawTemp }));
  });
}

test('an import killed with SIGKILL leaves no partial entry; the next command clears its temporary folder', async () => {
  const before = listing(datasets).filter((l) => !/^\.(import|remove)-/.test(l));
  const r = await importUntilDecoding('killed', (pid) => process.kill(pid, 'SIGKILL'));
  assert.equal(r.signal, 'SIGKILL');
  assert.ok(r.sawTemp, 'it was killed in the middle of the import');
  assert.ok(!existsSync(join(datasets, 'killed')));
  const list = effconv('dataset', 'list', '--json');
  assert.ok(!(JSON.parse(list.stdout) as DatasetInfo[]).some((d) => d.name === 'killed'));
  assert.deepEqual(listing(datasets), before, 'the killed import left nothing');
});

test('Ctrl-C cancels an import, exits 130 and leaves nothing behind', async () => {
  const before = listing(datasets);
  const r = await importUntilDecoding('interrupted', (pid) => process.kill(pid, 'SIGINT'));
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /cancelling the import/);
  assert.deepEqual(listing(datasets), before);
});

test('remove deletes the entry', () => {
  assert.equal(effconv('dataset', 'remove', 'cifar-10').code, 0);
  const list = effconv('dataset', 'list').stdout;
  assert.doesNotMatch(list, /cifar-10/);
  assert.match(list, /\nmnist-sample\s+idx\s+28×28×1\s+10\s+8,000\s+2,000/, 'the sample added by the first command is all that is left');
  const again = effconv('dataset', 'remove', 'cifar-10');
  assert.equal(again.code, 4);
  assert.match(again.stderr, /no dataset "cifar-10" in the library/);
});

// The first run as a new user meets it, in web mode in Chromium on a fresh home: the sample is
// in the library; the New experiment form is there at once, on the sample with its quick
// defaults, says so, and shows the expected time of each stage; a run with those defaults
// finishes. Then a download from a local server: progress in bytes with the file, a cancel that
// keeps what was fetched, a resume that ends in the checksum error shown in place, and a 404
// shown in place; the library unchanged.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { QUICK_RUN_OPTIONS } from '../../main/contract/run';
import { fixture } from '../helpers/data';
import { startFileServer, type FileServer } from '../helpers/file-server';
import { launchBrowser, screenshot, serve, type Served } from './harness';

let served: Served;
let files: FileServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const SLOW = '/slow/train-images-idx3-ubyte.gz';

before(async () => {
  // Fashion-MNIST's first file name, holding the fixture's cut of it (862,787 bytes, not the published 26,421,880).
  files = await startFileServer({ [SLOW]: readFileSync(fixture('fashion-mnist', 'train-images-idx3-ubyte.gz')) });
  served = await serve();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(served.url);
});

after(async () => {
  await browser?.close();
  await served?.stop();
  await files?.close();
  assert.deepEqual(pageErrors, [], 'the page threw no errors');
});

afterEach(async () => {
  if (page) await screenshot(page, 'e2e-first-run-last-state');
});

const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

test('a fresh home: the sample is in the library, badged, with the downloadable sets and their sizes', async () => {
  await nav('Datasets').click();
  const row = page.getByTestId('dataset-table').getByRole('row', { name: /mnist-sample/ });
  await row.waitFor({ timeout: 60_000 });
  assert.match((await row.textContent()) ?? '', /mnist-samplesampleidx28×28×1108,0002,000/);
  const downloads = page.getByTestId('download-table');
  assert.match((await downloads.locator('tr[data-download="mnist"]').textContent()) ?? '', /11\.1 MiB.*52\.5 MiB.*60,000 \/ 10,000.*Download/);
  assert.match((await downloads.locator('tr[data-download="cifar-10"]').textContent()) ?? '', /162\.2 MiB/);
  assert.match((await downloads.locator('tr[data-download="imagenet32"]').textContent()) ?? '', /needs a login/);
  assert.equal(await page.getByLabel('Image size').inputValue(), '', "the import's image size is empty: the source's own, as the CLI");
  await screenshot(page, 'screen-first-run-datasets');
});

test('New experiment shows at once, on the sample with the quick defaults, says so, and estimates each stage', async () => {
  const t0 = Date.now();
  await nav('New experiment').click();
  await page.getByRole('button', { name: 'Start run' }).waitFor();
  await page.getByTestId('dataset-summary').filter({ hasText: '8,000 train / 2,000 test' }).waitFor();
  const shown = Date.now() - t0;
  assert.equal(await page.getByLabel('Dataset', { exact: true }).inputValue(), 'mnist-sample');
  assert.equal(await page.getByLabel('Backbone').inputValue(), QUICK_RUN_OPTIONS.backbone);
  assert.equal(await page.getByLabel('Search epochs').inputValue(), String(QUICK_RUN_OPTIONS.searchEpochs));
  assert.equal(await page.getByLabel('Train epochs').inputValue(), String(QUICK_RUN_OPTIONS.trainEpochs));
  assert.equal(await page.getByLabel('Limit train images').inputValue(), String(QUICK_RUN_OPTIONS.limitTrain));
  assert.equal(await page.getByLabel('Budget (parameters)').inputValue(), String(QUICK_RUN_OPTIONS.budget));
  await page.getByTestId('quick-defaults').filter({ hasText: 'a few minutes on a CPU' }).waitFor();
  // Start waits for the budget's reachable range (one quick request), not for the backends' probe.
  await page.getByTestId('budget-range').waitFor();
  assert.ok(await page.getByRole('button', { name: 'Start run' }).isEnabled(), 'Start is enabled without waiting for the backends');
  assert.ok(shown < 10_000, `the form showed in ${shown} ms`);
  // 4,096 images: 128 search steps of 32, then 3 epochs of 32 steps of 128.
  await page.getByTestId('estimate-stage1').filter({ hasText: '128 steps' }).waitFor({ timeout: 240_000 });
  await page.getByTestId('estimate-stage2').filter({ hasText: '96 steps' }).waitFor();
  assert.match((await page.getByTestId('run-estimate').textContent()) ?? '', /Expected time on (wasm|cpu|webgpu|tensorflow): ≈ \d/);
  await screenshot(page, 'screen-first-run-new-experiment');
});

test('a run with the form\'s defaults finishes', async () => {
  await page.getByRole('button', { name: 'Start run' }).click();
  await page.waitForFunction(() => /^#\/run\/\d+$/.test((globalThis as unknown as { location: { hash: string } }).location.hash), undefined, { timeout: 30_000 });
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 900_000 });
  const top1 = Number(/([\d.]+)%/.exec((await page.getByTestId('run-top1').textContent()) ?? '')?.[1]);
  assert.ok(top1 > 50, `top-1 ${top1}% on MNIST digits`);
  await screenshot(page, 'screen-first-run-finished');
});

test('a download: progress in bytes, Cancel keeps what came, Resume ends in the checksum error in place; a 404 in place; the library unchanged', async () => {
  await nav('Datasets').click();
  const library = page.getByTestId('dataset-table').locator('tbody tr');
  await library.first().waitFor();
  const before = await library.count();
  await page.getByText('Mirror', { exact: true }).click();
  await page.getByLabel('Mirror URL').fill(`${files.url}/slow/`);
  files.throttle(SLOW, 60_000);
  const row = page.getByTestId('download-table').locator('tr[data-download="fashion-mnist"]');
  await row.getByRole('button', { name: 'Download' }).click();
  const state = page.getByTestId('download-table').locator('tr[data-download-state="fashion-mnist"]');
  // Bytes of the whole download (29.4 MiB published), naming the file.
  await state.getByTestId('progress').filter({ hasText: /downloading train-images-idx3-ubyte\.gz \(1\/4\).*[1-9]\d* KiB \/ 29\.4 MiB/ }).waitFor({ timeout: 60_000 });
  await screenshot(page, 'screen-download-progress');
  await row.getByRole('button', { name: 'Cancel' }).click();
  await state.getByRole('status').filter({ hasText: 'Cancelled' }).waitFor({ timeout: 30_000 });
  await row.getByText(/KiB already here/).waitFor();
  // Resume at full speed: the rest arrives with Range, then the file fails its published size and checksum.
  files.throttle(SLOW, 0);
  const from = files.log.length;
  await row.getByRole('button', { name: 'Resume' }).click();
  await state.getByTestId('error').filter({ hasText: /CHECKSUM_MISMATCH/ }).waitFor({ timeout: 60_000 });
  assert.match((await state.getByTestId('error').textContent()) ?? '', /train-images-idx3-ubyte\.gz from http:\/\/127\.0\.0\.1:\d+\/slow\/train-images-idx3-ubyte\.gz is not the published file: 862787 bytes, expected 26421880/);
  const resumed = files.log.slice(from).find((q) => q.path === SLOW)!;
  assert.match(resumed.range ?? '', /^bytes=[1-9]\d*-$/, 'the resume asked only for the rest');
  assert.equal(resumed.status, 206);
  // A mirror without the files: the 404 in place, naming the URL.
  await page.getByLabel('Mirror URL').fill(`${files.url}/empty/`);
  const mnist = page.getByTestId('download-table').locator('tr[data-download="mnist"]');
  await mnist.getByRole('button', { name: 'Download' }).click();
  const mnistState = page.getByTestId('download-table').locator('tr[data-download-state="mnist"]');
  await mnistState.getByTestId('error').filter({ hasText: /empty\/train-images-idx3-ubyte\.gz: the server has no such file \(HTTP 404\)/ }).waitFor({ timeout: 60_000 });
  assert.match((await mnistState.getByTestId('error').textContent()) ?? '', /DOWNLOAD_NOT_FOUND/);
  await screenshot(page, 'screen-download-errors');
  assert.equal(await library.count(), before, 'the library is unchanged');
});

// The workbench as a new user tries it, in web mode in Chromium, on real data: import the
// MNIST PNG folder, create an experiment with a small ResNet, watch the live size views
// change, see the run finish, find it in the list and the Pareto plot, retrain and compare,
// export its config.json and validate the download. A screenshot of every screen goes to
// test-results/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { EffconvConfig } from '../../main/contract/config';
import { validateConfigFile } from '../../main/export/config-validate';
import { fixture } from '../helpers/data';
import { launchBrowser, RESULTS, screenshot, serve, type Served } from './harness';

let served: Served;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  served = await serve();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 960 }, acceptDownloads: true });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(served.url);
});

after(async () => {
  await browser?.close();
  await served?.stop();
  assert.deepEqual(pageErrors, [], 'the page threw no errors');
});

// The page as the last test left it, to see at a glance why one failed.
afterEach(async () => {
  if (page) await screenshot(page, 'e2e-last-state');
});

/** Screens are hash routes: same-document navigations, which fire no load event. */
// Functions, not strings: the page's CSP forbids evaluating strings (no 'unsafe-eval').
// (They are serialised into the page: only types may come from here.)
type PageNode = { getAttribute(a: string): string | null; textContent: string | null; click(): void };
type PageGlobal = { document: { querySelector(s: string): PageNode | null }; location: { hash: string }; requestAnimationFrame(f: (t: number) => void): number };
const waitForHash = (hash: string) => page.waitForFunction((h) => (globalThis as unknown as PageGlobal).location.hash === h, hash, { timeout: 30_000 });

const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

test('the tokened URL opens the workbench (the token becomes a cookie)', async () => {
  await page.getByRole('heading', { name: 'Experiments' }).waitFor();
  assert.equal(new URL(page.url()).search, '', 'the token left the address bar');
  await page.getByText('No experiments yet').waitFor();
});

test('Datasets: import the MNIST PNG folder with progress; counts per class and sample images', async () => {
  await nav('Datasets').click();
  await page.getByLabel('Dataset path').fill(fixture('mnist-png'));
  await page.getByLabel('Name').fill('mnist-png');
  // Image size left empty: the folder's own 28×28 is kept (it was prefilled with 32 once).
  assert.equal(await page.getByLabel('Image size').inputValue(), '');
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByRole('status').filter({ hasText: 'Imported mnist-png' }).waitFor({ timeout: 120_000 });
  const row = page.getByTestId('dataset-table').getByRole('row', { name: /mnist-png/ });
  // 300 digits, 30 per class; no test/ split beside test/…: the importer holds 10% out per class.
  assert.match((await row.textContent()) ?? '', /image-folder28×28×1/);
  const detail = page.getByTestId('dataset-detail');
  await detail.waitFor();
  await detail.locator('img').first().waitFor();
  assert.equal(await detail.locator('.class').count(), 10);
  assert.ok((await detail.locator('img').count()) >= 50, 'sample thumbnails for every class');
  await screenshot(page, 'screen-datasets');
  // A path that does not exist: the error shows in place, naming it; the library is unchanged.
  const rows = page.getByTestId('dataset-table').locator('tbody tr');
  assert.equal(await rows.count(), 2, 'the imported set and the sample added on first start');
  assert.match((await page.getByTestId('dataset-table').getByRole('row', { name: /mnist-sample/ }).textContent()) ?? '', /idx28×28×1/);
  await page.getByLabel('Dataset path').fill('/no/such/dataset');
  await page.getByLabel('Name').fill('missing');
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByTestId('error').filter({ hasText: '/no/such/dataset' }).waitFor({ timeout: 60_000 });
  assert.equal(await rows.count(), 2);
});

test('New experiment: the budget readout refuses an unreachable budget; Start queues a run', async () => {
  await nav('New experiment').click();
  await page.getByLabel('Name', { exact: true }).fill('e2e mnist-png');
  await page.getByLabel('Backbone').selectOption('custom');
  await page.getByLabel('Custom backbone').fill('resnet8');
  await page.getByLabel('Dataset', { exact: true }).selectOption('mnist-png');
  await page.getByTestId('dataset-summary').filter({ hasText: '28×28×1, 10 classes' }).waitFor();
  // ResNet-8 on 28×28×1, 10 classes: all 1×1 9,466; 3×3 75,002; all 7×7 402,682
  await page.getByTestId('budget-range').filter({ hasText: '9.47k' }).waitFor();
  const budget = page.getByLabel('Budget (parameters)');
  await budget.fill('5000');
  await page.getByTestId('budget-refused').waitFor();
  assert.ok(await page.getByRole('button', { name: 'Start run' }).isDisabled());
  await budget.fill('120000');
  await page.getByTestId('budget-refused').waitFor({ state: 'detached' });
  await page.getByLabel('Search epochs').fill('3');
  await page.getByLabel('Train epochs').fill('2');
  await page.getByLabel('Search batch').fill('16');
  await page.getByLabel('Train batch').fill('32');
  await page.getByLabel('Seed').fill('1');
  await page.getByRole('radio', { name: /^wasm/ }).check();
  await screenshot(page, 'screen-new-experiment');
  await page.getByRole('button', { name: 'Start run' }).click();
  await waitForHash('#/run/1');
});

/** What the live size views show now: the heatmap's pixels and the bars' SVG. */
async function sizeViews(): Promise<{ heatmap: string; columns: string; bars: string }> {
  const heatmap = page.getByTestId('size-heatmap');
  return {
    heatmap: await heatmap.evaluate((c) => (c as unknown as { toDataURL(): string }).toDataURL()),
    columns: (await heatmap.getAttribute('data-columns')) ?? '',
    bars: await page.getByTestId('size-bars').evaluate((s) => s.outerHTML),
  };
}

test('Run (live): the size views update while stage 1 runs, and another screen answers within 200 ms', async () => {
  await page.getByTestId('run-status').filter({ hasText: 'running' }).waitFor({ timeout: 120_000 });
  await page.getByTestId('size-heatmap').waitFor({ timeout: 120_000 });
  const first = await sizeViews();
  const later = Number(first.columns) + 4;
  await page.waitForFunction((n) => Number((globalThis as unknown as PageGlobal).document.querySelector('[data-testid=size-heatmap]')?.getAttribute('data-columns')) >= n, later, { timeout: 120_000 });
  const second = await sizeViews();
  assert.notEqual(second.columns, first.columns);
  assert.notEqual(second.heatmap, first.heatmap, 'the heatmap was redrawn with new steps');
  await page.getByTestId('progress').waitFor();
  await screenshot(page, 'screen-run-live');
  // The UI stays responsive while the run trains in its own process: timed in the page, from
  // the click to the other screen's heading being in the DOM.
  const ms = await page.evaluate(async () => {
    const g = globalThis as unknown as PageGlobal;
    const t0 = performance.now();
    g.document.querySelector('nav a[href="#/datasets"]')!.click();
    while (g.document.querySelector('main h1')?.textContent !== 'Datasets') await new Promise((r) => g.requestAnimationFrame(r));
    return performance.now() - t0;
  });
  await page.getByRole('heading', { name: 'Datasets' }).waitFor();
  await page.goBack();
  await page.getByTestId('run-status').waitFor();
  assert.ok(ms < 200, `the Datasets screen answered in ${ms.toFixed(0)} ms during training`);
});

test('the run finishes: learned sizes, top-1 and the epoch table', async () => {
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 300_000 });
  await page.getByTestId('run-top1').filter({ hasText: '%' }).waitFor();
  const bars = page.getByTestId('size-bars').locator('rect.bar');
  assert.equal(await bars.count(), 6, 'one bar per searched layer of ResNet-8');
  await page.getByTestId('kernel-maps').waitFor({ timeout: 30_000 });
  await screenshot(page, 'screen-run-finished');
});

test('Export: config.json downloads and validates against the schema and the parameter count', async () => {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('export-config').click()]);
  const path = join(RESULTS, 'exported-config.json');
  await download.saveAs(path);
  const cfg = JSON.parse(readFileSync(path, 'utf8')) as EffconvConfig;
  assert.equal(cfg.format, 'effconv.config');
  assert.equal(cfg.backbone.depth, 8);
  assert.equal(cfg.dataset?.name, 'mnist-png');
  assert.doesNotThrow(() => validateConfigFile(path));
  await page.getByTestId('export-result').waitFor();
});

test('Experiments: the run is in the list and on the Pareto plot; hovering shows it, clicking opens it', async () => {
  await nav('Experiments').click();
  await page.getByTestId('run-table').locator('tr[data-run="1"]').waitFor();
  assert.match((await page.getByTestId('run-table').locator('tr[data-run="1"]').textContent()) ?? '', /e2e mnist-png.*resnet8.*mnist-png.*completed/);
  const point = page.getByTestId('pareto').locator('circle[data-run="1"]');
  await point.hover();
  await page.getByTestId('pareto-tip').filter({ hasText: 'run #1' }).waitFor();
  await screenshot(page, 'screen-experiments');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'All metrics as CSV' }).click()]);
  const csvPath = join(RESULTS, 'all-metrics.csv');
  await csv.saveAs(csvPath);
  const lines = readFileSync(csvPath, 'utf8').trim().split('\n');
  assert.match(lines[0], /run/);
  assert.ok(lines.length > 40, `${lines.length} CSV lines: a row per recorded step`);
  await point.click();
  await waitForHash('#/run/1');
});

test('Compare: retrain the learned CNN (lineage kept) and compare the two runs layer by layer', async () => {
  await page.getByRole('button', { name: 'Retrain stage 2' }).click();
  await waitForHash('#/run/2');
  await page.getByText('retrained from').waitFor();
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 300_000 });
  await page.goto(`${served.origin}/#/compare/1,2`);
  const sizes = page.getByTestId('compare-sizes');
  await sizes.locator('tbody tr').first().waitFor();
  assert.equal(await sizes.locator('tbody tr').count(), 6);
  await page.getByLabel('only layers that differ').check();
  await page.getByText('All layers have the same sizes.').waitFor(); // a retrain keeps the learned sizes
  await page.getByLabel('only layers that differ').uncheck();
  assert.match((await page.getByTestId('compare-summary').textContent()) ?? '', /from #1/);
  await screenshot(page, 'screen-compare');
});

test('Run controls: pause, resume and cancel a run from its live view; dark mode follows the system', async () => {
  await page.goto(`${served.origin}/#/new/from/1`);
  await page.getByLabel('Name', { exact: true }).fill('e2e controls');
  await page.getByLabel('Search epochs').fill('30');
  await page.getByRole('button', { name: 'Start run' }).click();
  await waitForHash('#/run/3');
  await page.getByTestId('run-status').filter({ hasText: 'running' }).waitFor({ timeout: 120_000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.getByTestId('run-status').filter({ hasText: 'paused' }).waitFor({ timeout: 120_000 });
  await page.getByRole('button', { name: 'Resume' }).click();
  await page.getByTestId('run-status').filter({ hasText: 'running' }).waitFor({ timeout: 120_000 });
  await page.emulateMedia({ colorScheme: 'dark' });
  const bg = await page.evaluate('getComputedStyle(document.body).backgroundColor');
  assert.equal(bg, 'rgb(21, 23, 27)', 'the dark palette applies');
  await screenshot(page, 'screen-run-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByTestId('run-status').filter({ hasText: 'cancelled' }).waitFor({ timeout: 120_000 });
  await page.getByRole('button', { name: 'Resume' }).waitFor(); // a cancelled run can continue from its checkpoint
});

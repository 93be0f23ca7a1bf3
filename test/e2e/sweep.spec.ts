// A sweep as a user makes one in the served workbench, on real MNIST: the sweep form plans as
// it is typed (points, the reachable range, an unreachable budget refused in place by name),
// Start opens the sweep view, which follows the points live until they complete; the Pareto
// plot shows each point with its sizes on hover and opens its run on click; the charts and the
// two-point comparison read the finished points; Export report downloads the report folder as a
// .zip; the Sweeps list shows it; Delete removes it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import type { SweepDetail } from '../../main/contract/sweep';
import { fixture, REPO_ROOT } from '../helpers/data';
import { launchBrowser, screenshot, serve, type Served } from './harness';

let served: Served;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  // The library as a user fills it from a terminal: `effconv dataset import` of MNIST (the repository's cut of the official files).
  const home = mkdtempSync(join(tmpdir(), 'effconv-e2e-sweep-'));
  execFileSync(process.execPath, [join(REPO_ROOT, 'bin/effconv.js'), 'dataset', 'import', fixture('mnist'), '--name', 'mnist'], { env: { ...process.env, EFFCONV_HOME: home }, stdio: 'pipe' });
  served = await serve({}, home);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(served.url);
});

after(async () => {
  await browser?.close();
  await served?.stop();
  assert.deepEqual(pageErrors, [], 'the page threw no errors');
});

afterEach(async () => {
  if (page) await screenshot(page, 'e2e-sweep-last-state');
});

const waitForHash = (hash: string | RegExp) =>
  page.waitForFunction(
    ({ text, re }) => {
      const now = (globalThis as unknown as { location: { hash: string } }).location.hash;
      return re ? new RegExp(text).test(now) : now === text;
    },
    { text: typeof hash === 'string' ? hash : hash.source, re: typeof hash !== 'string' },
    { timeout: 30_000 },
  );

async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  const r = await fetch(`${served.origin}/api/call/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${served.token}` }, body: JSON.stringify({ args }) });
  const reply = (await r.json()) as { ok: boolean; value: T; error?: unknown };
  if (!reply.ok) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
  return reply.value;
}
const getSweep = (id: number) => call<SweepDetail>('getSweep', id);

let sweepId = 0;

test('New experiment → Sweep: the plan follows the typing, an unreachable point is refused in place, Start opens the sweep view', async () => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New experiment', exact: true }).click();
  await page.getByRole('radio', { name: 'Sweep' }).check();
  await waitForHash('#/new/sweep');
  const form = page.getByRole('form', { name: 'New sweep' });
  await form.getByLabel('Name', { exact: true }).fill('e2e sweep');
  // The single run's backbone (the quick defaults' ResNet-8) comes along ticked; this sweep is over it alone.
  assert.ok(await form.getByRole('checkbox', { name: 'resnet8', exact: true }).isChecked());
  await form.getByRole('checkbox', { name: /^mnist\s/ }).check();
  await form.getByRole('checkbox', { name: /^mnist-sample/ }).uncheck(); // the sample the app adds on first start
  await form.getByLabel('Seeds').fill('1');
  await form.getByRole('checkbox', { name: 'Baseline (all 3×3)' }).check();
  await form.getByLabel('Points at once').fill('2');
  await form.getByLabel('Search epochs').fill('1');
  await form.getByLabel('Train epochs').fill('1');
  await form.getByLabel('Search batch').fill('32');
  await form.getByLabel('Train batch').fill('32');
  await form.getByLabel('Limit train images').fill('64');
  await form.getByLabel('Limit test images').fill('64');
  await form.getByRole('radio', { name: /^wasm/ }).check();

  const budgets = form.getByLabel('Budgets');
  // 5k is below what ResNet-8 reaches on 28×28×1 (all 1×1: 9,466): refused by name, nothing to start.
  await budgets.fill('5k,60k');
  await form.getByTestId('error').filter({ hasText: 'BUDGET_UNREACHABLE' }).waitFor();
  const refusal = (await form.getByTestId('error').textContent()) ?? '';
  assert.match(refusal, /point "resnet8 · mnist · 5k · seed 1": budget 5,000 is outside what resnet8 can reach on mnist: 9,466 \(all 1×1\) … 402,682 \(all 7×7\)/);
  // The ranges stay in view beside the refusal.
  await form.getByTestId('sweep-ranges').filter({ hasText: '9.47k' }).waitFor();
  assert.ok(await form.getByRole('button', { name: /^Start sweep/ }).isDisabled());

  // Two budgets × one seed + the baseline: three points; all 3×3 is 75,002 parameters.
  await budgets.fill('30k,60k');
  await form.getByTestId('sweep-point-count').filter({ hasText: '3 points' }).waitFor();
  await form.getByTestId('error').waitFor({ state: 'detached' });
  const range = form.getByTestId('sweep-ranges').locator('tbody tr');
  assert.equal(await range.count(), 1);
  assert.match((await range.textContent()) ?? '', /resnet8\s*mnist\s*6\s*9\.47k\s*75k\s*403k\s*30k, 60k\s*3/);
  await screenshot(page, 'screen-new-sweep');
  await form.getByRole('button', { name: 'Start sweep (3 points)' }).click();
  await waitForHash(/^#\/sweep\/\d+$/);
  sweepId = Number(/\d+$/.exec(await page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash))![0]);
  await page.getByRole('heading', { name: /e2e sweep/ }).waitFor();
});

test('the sweep view follows its points live (running point with progress, then every point done) without a reload', async () => {
  // A running point shows its own progress line while it trains.
  await page.getByRole('region', { name: 'Running points' }).waitFor({ timeout: 120_000 });
  await screenshot(page, 'screen-sweep-live');
  await page.getByTestId('sweep-status').filter({ hasText: 'completed' }).waitFor({ timeout: 240_000 });
  await page.getByTestId('sweep-progress').filter({ hasText: '3 / 3 (100%)' }).waitFor();
  assert.equal(await page.getByTestId('sweep-counts').textContent(), '3 completed');
  const rows = page.getByTestId('point-table').locator('tr.row');
  assert.equal(await rows.count(), 3);
  const d = await getSweep(sweepId);
  for (const p of d.points) {
    const row = page.getByTestId('point-table').locator(`tr[data-run="${p.runId}"]`);
    const text = (await row.textContent()) ?? '';
    assert.ok(text.includes(`${(p.top1! * 100).toFixed(2)}%`), `row of point ${p.index} shows its top-1: ${text}`);
    assert.ok(text.includes(p.sizes!.join(' ')), `row of point ${p.index} shows its sizes`);
  }
});

test('Pareto: every point plotted (the baseline as a diamond); hover shows its sizes, click opens its run', async () => {
  const d = await getSweep(sweepId);
  await page.getByRole('tab', { name: 'Accuracy vs budget' }).click();
  await page.getByRole('tab', { name: 'Pareto' }).click();
  const plot = page.getByTestId('pareto');
  await plot.locator('.point').nth(2).waitFor();
  assert.equal(await plot.locator('circle.point').count(), 2, 'two searched points');
  assert.equal(await plot.locator('path.point.baseline').count(), 1, 'the baseline');
  // Tiny runs may land on the same spot (the same sizes and top-1): the last point drawn is the one on top.
  const p = d.points.filter((x) => x.kind === 'search').at(-1)!;
  const point = plot.locator(`[data-run="${p.runId}"]`);
  await point.hover();
  const tip = page.getByTestId('pareto-tip');
  await tip.filter({ hasText: `run #${p.runId}` }).waitFor();
  assert.equal(await tip.getByTestId('pareto-tip-sizes').textContent(), `sizes ${p.sizes!.join(' ')}`);
  assert.equal(await tip.getByTestId('size-bars').locator('rect.bar').count(), 6, 'one bar per searched layer');
  await screenshot(page, 'screen-sweep-pareto');
  await point.click();
  await waitForHash(`#/run/${p.runId}`);
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor();
  assert.equal(await page.getByTestId('run-top1').textContent(), `${(p.top1! * 100).toFixed(2)}%`);
  await page.goBack();
  await page.getByTestId('sweep-status').waitFor();
});

test('Accuracy and sizes against budget, and two points compared layer by layer', async () => {
  await page.getByRole('tab', { name: 'Accuracy vs budget' }).click();
  const chart = page.getByRole('img', { name: /^Top-1 \(%\) against budget/ });
  // One line (two budgets) and the baseline mark.
  assert.deepEqual((await chart.locator('circle.marker title').allTextContents()).map((t) => t.replace(/:.*/, '')), ['resnet8', 'resnet8', 'resnet8 3×3']);
  await page.getByRole('tab', { name: 'Sizes vs budget' }).click();
  assert.equal(await page.getByTestId('size-heatmap').getAttribute('data-columns'), '2', 'a column per budget');

  const d = await getSweep(sweepId);
  const [a, b] = d.points.filter((p) => p.kind === 'search');
  await page.getByLabel(`Compare point ${a.index}`, { exact: true }).check();
  await page.getByLabel(`Compare point ${b.index}`, { exact: true }).check();
  await page.getByRole('tab', { name: 'Compare two points (2)', selected: true }).waitFor();
  const sizes = page.getByTestId('point-compare-sizes').locator('tbody tr');
  assert.equal(await sizes.count(), 6);
  const differ = a.sizes!.filter((s, i) => s !== b.sizes![i]).length;
  assert.equal(await page.getByTestId('compare-differing').textContent(), differ ? `${differ} of 6 layers differ.` : 'Every layer has the same size.');
  assert.equal(await page.getByTestId('point-compare').getByTestId('size-bars').locator('rect.bar').count(), 12, 'paired bars');
  await screenshot(page, 'screen-sweep-compare');
});

test('Export report from the sweep view: a .zip with report.md, the figures and points.csv whose rows are the sweep\'s points', async () => {
  const d = await getSweep(sweepId);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByRole('button', { name: 'Export report' }).click()]);
  assert.match(download.suggestedFilename(), new RegExp(`^sweep-${sweepId}\\.zip$`));
  const files = unzipSync(new Uint8Array(readFileSync((await download.path())!)));
  const names = Object.keys(files).map((n) => n.replace(/^[^/]+\//, '')).sort();
  for (const want of ['report.md', 'points.csv', 'pareto.svg', 'pareto.png', 'accuracy-vs-budget.svg', 'sizes-vs-budget.svg']) assert.ok(names.includes(want), `${want} in ${names.join(', ')}`);
  const csv = strFromU8(files[Object.keys(files).find((n) => n.endsWith('/points.csv'))!]).trimEnd().split('\n');
  assert.equal(csv.length, 1 + d.points.length, 'a header and a row per point');
  for (const p of d.points) assert.ok(csv.some((line) => line.includes(String(p.runId)) && line.includes(p.sizes!.join(' '))), `point ${p.index} in points.csv`);
  const report = strFromU8(files[Object.keys(files).find((n) => n.endsWith('/report.md'))!]);
  assert.match(report, /e2e sweep/);
  await page.getByTestId('sweep-export-result').filter({ hasText: `Exported 3 of 3 points` }).waitFor();
});

test('Pause and Cancel act on the whole sweep from its view; a cancelled sweep offers Resume', async () => {
  // Long enough to be caught running: 30 search epochs per point.
  const options = { searchEpochs: 30, trainEpochs: 1, batchSize: 32, trainBatchSize: 32, limitTrain: 64, limitTest: 64, backend: 'wasm' };
  const { sweepId: id } = await call<{ sweepId: number }>('startSweep', { name: 'e2e controls', budgets: '30k,60k', backbones: ['resnet8'], datasets: ['mnist'], seeds: [2], baseline: false, parallel: 1, options });
  await page.goto(`${served.origin}/#/sweep/${id}`);
  const status = page.getByTestId('sweep-status');
  await page.getByTestId('point-progress').waitFor({ timeout: 120_000 }); // a point is past its first step
  await page.getByRole('button', { name: 'Pause' }).click();
  await status.filter({ hasText: 'paused' }).waitFor({ timeout: 120_000 });
  assert.deepEqual((await getSweep(id)).counts, { paused: 2 }, 'the running point and the waiting one');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await status.filter({ hasText: 'cancelled' }).waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('sweep-counts').textContent(), '2 cancelled');
  await page.getByRole('button', { name: 'Resume' }).waitFor(); // a cancelled sweep can continue
  await call('deleteSweep', id);
});

test('Sweeps list: the sweep with its points done; dark mode; Delete removes it and its runs', async () => {
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Sweeps', exact: true }).click();
  const row = page.getByTestId('sweep-table').locator(`tr[data-sweep="${sweepId}"]`);
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /e2e sweep.*resnet8 · mnist · 30k, 60k · seed 1 · baseline.*completed.*3 \/ 3/);
  await page.emulateMedia({ colorScheme: 'dark' });
  await row.getByRole('link', { name: 'e2e sweep' }).click();
  await page.getByTestId('sweep-status').waitFor();
  assert.equal(await page.evaluate('getComputedStyle(document.body).backgroundColor'), 'rgb(21, 23, 27)', 'the dark palette applies');
  await screenshot(page, 'screen-sweep-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  const runIds = (await getSweep(sweepId)).points.map((p) => p.runId);
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await waitForHash('#/sweeps');
  await page.getByText('No sweeps yet').waitFor();
  await page.goto(`${served.origin}/#/run/${runIds[0]}`);
  await page.getByTestId('error').filter({ hasText: 'RUN_NOT_FOUND' }).waitFor();
});

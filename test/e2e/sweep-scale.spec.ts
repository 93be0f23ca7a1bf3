// A 500-point sweep (5 ResNets × 2 datasets × 9 budgets × 5 seeds + the baselines, recorded
// through the store's own functions) in the served workbench: the sweep view renders its
// points table and Pareto plot, and a filter answers, each within a second, timed in the page;
// the charts show what the points say (a mean over seeds, one heatmap column per budget), and
// a point leads to its run.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openStore } from '../../main/store';
import { seedScaleSweep, statusOfPoint } from '../helpers/seed-sweep';
import { launchBrowser, screenshot, serve, type Served } from './harness';

let served: Served;
let browser: Browser;
let page: Page;
let sweepId: number;
const pageErrors: string[] = [];

before(async () => {
  const home = mkdtempSync(join(tmpdir(), 'effconv-sweep-scale-'));
  const store = openStore(join(home, 'effconv.db'));
  ({ sweepId } = seedScaleSweep(store, join(home, 'runs')));
  store.close();
  served = await serve({}, home);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  await browser?.close();
  await served?.stop();
  assert.deepEqual(pageErrors, [], 'the page threw no errors');
});

// Functions run in the page (its CSP forbids evaluating strings); only types come from here.
type El = { textContent: string | null; click(): void; value: string; dispatchEvent(e: unknown): boolean; getAttribute(a: string): string | null };
type PageGlobal = {
  document: { querySelector(s: string): El | null; querySelectorAll(s: string): { length: number } };
  requestAnimationFrame(f: (t: number) => void): number;
  Event: new (type: string, init?: { bubbles: boolean }) => unknown;
};

// 500 points: per backbone × dataset 50 (5 seeds × the baseline and 9 budgets), one failed and one cancelled among them.
const TOTAL = 500;
const COMPLETED = Array.from({ length: TOTAL }, (_, i) => statusOfPoint(i)).filter((s) => s === 'completed').length;
const PER_BACKBONE = 100;
const COMPLETED_PER_BACKBONE = 96;

test('the sweep view of 500 points renders its table and Pareto plot within a second (from the Sweeps list, timed in the page, median of three)', async (t) => {
  const t0 = performance.now();
  await page.goto(`${served.url}#/sweeps`);
  await page.getByTestId('sweep-table').locator(`tr[data-sweep="${sweepId}"]`).waitFor({ timeout: 10_000 });
  t.diagnostic(`cold first page (Sweeps list): ${(performance.now() - t0).toFixed(0)} ms`);
  // Once, so the first read of a process (statements prepared, pages cached) is not what is timed.
  await page.getByRole('link', { name: 'scale sweep' }).click();
  await page.getByTestId('point-table').locator('tr.row').first().waitFor({ timeout: 10_000 });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sweeps', exact: true }).click();
  await page.getByTestId('sweep-table').locator(`tr[data-sweep="${sweepId}"]`).waitFor();

  // Three times from the Sweeps list; the median is held to the second (one slice of a shared
  // machine's load can land on any single try).
  const tries: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (i > 0) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sweeps', exact: true }).click();
      await page.getByTestId('sweep-table').locator(`tr[data-sweep="${sweepId}"]`).waitFor();
    }
    tries.push(
      await page.evaluate(
        async ({ id, completed }) => {
          const g = globalThis as unknown as PageGlobal;
          const t0 = performance.now();
          g.document.querySelector(`tr[data-sweep="${id}"] a`)!.click();
          while (g.document.querySelectorAll('[data-testid=point-table] tr.row').length < 50 || g.document.querySelectorAll('[data-testid=pareto] .point').length < completed) {
            await new Promise((r) => g.requestAnimationFrame(r));
          }
          return performance.now() - t0;
        },
        { id: sweepId, completed: COMPLETED },
      ),
    );
  }
  const ms = median(tries);
  assert.equal(await page.getByTestId('pareto').locator('.point').count(), COMPLETED, 'every completed point on the plot');
  assert.equal(await page.getByTestId('point-table').locator('tr.row').count(), 50, 'one page of the table');
  assert.equal(await page.getByTestId('point-count').textContent(), `${TOTAL} points`);
  assert.match((await page.getByTestId('sweep-counts').textContent()) ?? '', new RegExp(`^${COMPLETED} completed · 10 failed · 10 cancelled`));
  t.diagnostic(`500-point sweep view: ${tries.map((x) => x.toFixed(0)).join(', ')} ms (the Api's read included), median ${ms.toFixed(0)} ms`);
  assert.ok(ms < 1000, `the sweep view took ${tries.map((x) => x.toFixed(0)).join(', ')} ms`);
  await screenshot(page, 'screen-sweep-500');
});

test('a filter answers within a second (table and charts; median of five), sorting and paging work on the filtered points', async (t) => {
  // Backbone by backbone, and back to all points: each change timed from the select's change
  // event until the count and the plot show it; the median is held to the second.
  // Done when the count, the number of plotted points and the first row's and first point's backbone say so.
  const steps = [
    ...['resnet8', 'resnet14', 'resnet20'].map((b) => ({ value: b, backbone: b, count: `${PER_BACKBONE} of 500 points`, points: COMPLETED_PER_BACKBONE })),
    { value: '', backbone: 'resnet8', count: '500 points', points: COMPLETED },
  ];
  const tries: number[] = [];
  for (const step of [...steps, steps[2]]) {
    tries.push(
      await page.evaluate(async ({ value, backbone, count, points }) => {
        const g = globalThis as unknown as PageGlobal;
        const select = g.document.querySelector('select[aria-label="Filter by backbone"]')!;
        const t0 = performance.now();
        select.value = value;
        select.dispatchEvent(new g.Event('change', { bubbles: true }));
        // (Inline: a named function here would be compiled with a helper the page lacks.)
        while (
          g.document.querySelector('[data-testid=point-count]')?.textContent !== count ||
          g.document.querySelectorAll('[data-testid=pareto] .point').length !== points ||
          g.document.querySelector('[data-testid=point-table] tr.row td:nth-child(5)')?.textContent !== backbone ||
          !(g.document.querySelector('[data-testid=pareto] .point')?.getAttribute('aria-label') ?? '').includes(` ${backbone} `)
        ) {
          await new Promise((r) => g.requestAnimationFrame(r));
        }
        return performance.now() - t0;
      }, step),
    );
  }
  const ms = median(tries);
  t.diagnostic(`filter by backbone (resnet8, resnet14, resnet20, all, resnet20): ${tries.map((x) => x.toFixed(0)).join(', ')} ms, median ${ms.toFixed(0)} ms`);
  assert.ok(ms < 1000, `the filter took ${tries.map((x) => x.toFixed(0)).join(', ')} ms`);
  const rows = page.getByTestId('point-table').locator('tr.row');
  for (const text of await rows.allTextContents()) assert.match(text, /resnet20/);
  // Best top-1 first: the table's first row holds the largest top-1 of the filtered points.
  await page.getByRole('button', { name: /^Top-1/ }).click();
  await page.getByRole('columnheader', { name: /Top-1 ↓/ }).waitFor();
  const top1s = (await rows.locator('td:nth-child(11)').allTextContents()).map((s) => Number.parseFloat(s));
  assert.deepEqual(top1s, [...top1s].sort((a, b) => b - a), 'sorted by top-1, best first');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('51–100').waitFor();
  assert.equal(await rows.count(), 50);
  // The failed and cancelled points of the filtered backbone close the sorted list (no top-1).
  assert.match((await rows.last().textContent()) ?? '', /failed|cancelled/);
  await page.getByLabel('Filter by status').selectOption('failed');
  await page.getByTestId('point-count').filter({ hasText: /^2 of 500 points$/ }).waitFor();
  await page.getByRole('button', { name: 'Show all points' }).click();
  await page.getByTestId('point-count').filter({ hasText: /^500 points$/ }).waitFor();
});

test('the charts read the points: Fig. 3 means over seeds, one heatmap column per budget, hover and click on the Pareto plot', async () => {
  const detail = (await (
    await fetch(`${served.origin}/api/call/getSweep`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${served.token}` }, body: JSON.stringify({ args: [sweepId] }) })
  ).json()) as { value: { points: { kind: string; backbone: string; dataset: string; budget: number; status: string; params: number | null; top1: number | null; runId: number; onFront: boolean; sizes: number[] | null }[] } };
  const points = detail.value.points;
  // By hand: the mean top-1 of resnet8 on mnist at its smallest budget over the completed seeds.
  const cell = points.filter((p) => p.kind === 'search' && p.backbone === 'resnet8' && p.dataset === 'mnist' && p.status === 'completed');
  const smallest = Math.min(...cell.map((p) => p.budget));
  const seeds = cell.filter((p) => p.budget === smallest).map((p) => p.top1! * 100);
  const mean = seeds.reduce((a, b) => a + b, 0) / seeds.length;

  await page.getByRole('tab', { name: 'Accuracy vs budget' }).click();
  const chart = page.getByRole('img', { name: /^Top-1 \(%\) against budget/ });
  await chart.waitFor();
  const titles = await chart.locator('circle.marker title').allTextContents();
  const first = titles.find((s) => s.startsWith('resnet8 · mnist: '));
  assert.ok(first, `a marker of resnet8 · mnist among ${titles.length}`);
  assert.equal(first, `resnet8 · mnist: ${mean.toFixed(1)} at budget (parameters) ${formatSi(smallest)} (${Math.min(...seeds).toFixed(1)}…${Math.max(...seeds).toFixed(1)})`);
  // Per backbone × dataset: a line (9 budgets) and its baseline mark.
  assert.equal(titles.length, 10 * 9 + 10);

  // Keyboard: arrows move between the tabs.
  await page.getByRole('tab', { name: 'Accuracy vs budget' }).press('ArrowRight');
  await page.getByRole('tab', { name: 'Sizes vs budget', selected: true }).waitFor();
  const heatmaps = page.getByTestId('size-heatmap');
  await heatmaps.first().waitFor();
  assert.equal(await heatmaps.count(), 10, 'one heatmap per backbone × dataset');
  for (const columns of await heatmaps.evaluateAll((els) => els.map((e) => e.getAttribute('data-columns')))) assert.equal(columns, '9');

  await page.getByRole('tab', { name: 'Pareto' }).click();
  const best = points.find((p) => p.onFront && p.kind === 'search' && p.dataset === 'cifar10')!;
  const point = page.getByTestId('pareto').locator(`[data-run="${best.runId}"]`);
  await point.focus(); // points overlap at 500: focus shows the same card as hover
  await page.getByTestId('pareto-tip-sizes').filter({ hasText: `sizes ${best.sizes!.join(' ')}` }).waitFor();
  await screenshot(page, 'screen-sweep-500-pareto-tip');
  // The plot is one tab stop; arrows walk its points by parameters (ties by top-1, then grid order).
  const plotted = points.filter((p) => p.status === 'completed');
  const byParams = plotted.map((_, i) => i).sort((a, b) => plotted[a].params! - plotted[b].params! || plotted[a].top1! - plotted[b].top1!);
  const next = plotted[byParams[byParams.indexOf(plotted.indexOf(best)) + 1]];
  await point.press('ArrowRight');
  await page.getByTestId('pareto').locator(`[data-run="${next.runId}"]`).and(page.locator(':focus')).waitFor();
  await page.getByTestId('pareto-tip').filter({ hasText: `run #${next.runId}` }).waitFor();
  assert.equal(await page.getByTestId('pareto').locator('[tabindex="0"]').count(), 1, 'one tab stop');
  await point.focus();
  await point.press('Enter');
  await page.waitForFunction((h) => (globalThis as unknown as { location: { hash: string } }).location.hash === h, `#/run/${best.runId}`);
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor();
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** d3's '.3~s' as the chart writes a budget (22501 → 22.5k). */
function formatSi(n: number): string {
  const [v, s] = n >= 1e6 ? [n / 1e6, 'M'] : n >= 1e3 ? [n / 1e3, 'k'] : [n, ''];
  return `${Number(v.toPrecision(3))}${s}`;
}

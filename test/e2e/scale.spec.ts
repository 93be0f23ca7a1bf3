// Scale and security of the served workbench: 10,000 recorded runs list, page, sort and
// filter within a second each (SQL does the work, not the page); the real `effconv serve`
// refuses requests without the token or from another origin and survives a malformed call.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openStore } from '../../main/store';
import { SETTLED_STATUSES, seed10k, seedLongRun } from '../helpers/seed-runs';
import { launchBrowser, screenshot, serve, type Served } from './harness';

let served: Served;
let browser: Browser;
let page: Page;
let longRun: number;

before(async () => {
  const home = mkdtempSync(join(tmpdir(), 'effconv-scale-'));
  const store = openStore(join(home, 'effconv.db'));
  seed10k(store, join(home, 'runs'), SETTLED_STATUSES);
  longRun = seedLongRun(store, join(home, 'runs'));
  store.close();
  served = await serve({}, home);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
});

after(async () => {
  await browser?.close();
  await served?.stop();
});

const count = () => page.getByTestId('run-count');

test('the experiment list renders 10,000 runs (and one more) within a second', async (t) => {
  // A cold start (the browser's first page, the server's first query) is reported, not bounded.
  const t0 = performance.now();
  await page.goto(served.url);
  await count().filter({ hasText: /^10,001 runs$/ }).waitFor({ timeout: 5000 });
  t.diagnostic(`cold first render: ${(performance.now() - t0).toFixed(0)} ms`);
  // The list itself: from another screen back to the experiments, rendered from scratch.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Datasets', exact: true }).click();
  await page.getByRole('heading', { name: 'Datasets' }).waitFor();
  const t1 = performance.now();
  await nav.getByRole('link', { name: 'Experiments', exact: true }).click();
  await count().filter({ hasText: /^10,001 runs$/ }).waitFor({ timeout: 5000 });
  const ms = performance.now() - t1;
  assert.equal(await page.getByTestId('run-table').locator('tbody tr.row').count(), 50, 'one page of 50 rows');
  assert.ok(ms < 1000, `the list took ${ms.toFixed(0)} ms`);
  t.diagnostic(`list render: ${ms.toFixed(0)} ms`);
  await screenshot(page, 'screen-experiments-10k');
});

test('filtering, status filters, sorting and paging answer within a second each', async () => {
  const timed = async (what: string, act: () => Promise<unknown>, done: () => Promise<unknown>) => {
    const t0 = performance.now();
    await act();
    await done();
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `${what} took ${ms.toFixed(0)} ms`);
  };
  // 40 experiments share the 10,000 runs: "experiment 7" names 250 of them.
  await timed('text filter', () => page.getByLabel('Filter runs').fill('experiment 7'), () => count().filter({ hasText: /^250 runs$/ }).waitFor());
  // Run i belongs to experiment i mod 40 and has status i mod 8: all of experiment 7's are completed.
  await timed('status filter', () => page.getByRole('checkbox', { name: 'failed' }).check(), () => count().filter({ hasText: /^0 runs$/ }).waitFor());
  await page.getByText('No run matches the filter.').waitFor();
  await page.getByRole('checkbox', { name: 'failed' }).uncheck();
  await count().filter({ hasText: /^250 runs$/ }).waitFor();
  await timed('sort by top-1', () => page.getByRole('button', { name: /^Top-1/ }).click(), () => page.getByRole('columnheader', { name: /Top-1 ↓/ }).waitFor());
  const top = await page.getByTestId('run-table').locator('tbody tr.row').first().locator('td').nth(7).textContent();
  assert.match(top ?? '', /^\d+\.\d\d%$/, 'the best run comes first');
  await timed('next page', () => page.getByRole('button', { name: 'Next' }).click(), () => page.getByText('51–100').waitFor());
});

test('a run with 100,000 search steps and 50,000 training steps opens with every chart within 2.5 s (page load included)', async (t) => {
  const t0 = performance.now();
  await page.goto(`${served.url}#/run/${longRun}`);
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 10_000 });
  const loss = page.getByRole('img', { name: 'Stage 1 losses' }).locator('path[stroke]').first();
  await loss.and(page.locator('path[d^="M"]')).waitFor({ timeout: 10_000 });
  await page.getByTestId('size-heatmap').waitFor({ timeout: 10_000 });
  await page.getByRole('img', { name: 'Stage 2 training' }).locator('path[d^="M"]').first().waitFor({ timeout: 10_000 });
  const ms = performance.now() - t0;
  // Downsampled, not truncated: the x axis reaches the last step.
  const ticks = await page.getByRole('img', { name: 'Stage 1 losses' }).locator('.axis text').allTextContents();
  assert.ok(ticks.some((t) => /^100k$/.test(t)), `stage-1 x ticks reach 100k: ${ticks.join(' ')}`);
  const d = (await loss.getAttribute('d')) ?? '';
  const points = d.split(/[ML]/).length - 1;
  assert.ok(points > 100 && points < 5000, `${points} points drawn for 100,000 steps`);
  assert.ok(ms < 2500, `the run view took ${ms.toFixed(0)} ms`);
  // 150 epochs: the table keeps to the last six of each stage until asked for all.
  const epochRows = page.getByRole('table').filter({ hasText: 'Train loss' }).locator('tbody tr');
  assert.equal(await epochRows.count(), 12);
  assert.match((await epochRows.first().textContent()) ?? '', /^1\s*95/);
  await page.getByRole('button', { name: 'Show all 150 epochs' }).click();
  await epochRows.nth(149).waitFor();
  await page.getByRole('button', { name: 'Show the last epochs of each stage' }).click();
  await epochRows.nth(12).waitFor({ state: 'detached' });
  t.diagnostic(`100,000-step run view: ${ms.toFixed(0)} ms, ${points} points in the loss line`);
  await screenshot(page, 'screen-run-100k-steps');
});

async function raw(path: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  const r = await fetch(`${served.origin}${path}`, { method: o.method ?? 'GET', headers: o.headers, body: o.body, redirect: 'manual' });
  return { status: r.status, body: await r.text() };
}

test('effconv serve: no token → 401, foreign Origin → 403, a malformed argument → typed 400 and it keeps serving', async () => {
  const json = { 'Content-Type': 'application/json' };
  const withToken = { ...json, Authorization: `Bearer ${served.token}` };
  assert.equal((await raw('/api/call/appInfo', { method: 'POST', headers: json, body: '{"args":[]}' })).status, 401);
  assert.equal((await raw('/')).status, 401);
  assert.equal((await raw('/api/call/appInfo', { method: 'POST', headers: { ...withToken, Origin: 'http://attacker.example' }, body: '{"args":[]}' })).status, 403);
  const bad = await raw('/api/call/listRuns', { method: 'POST', headers: withToken, body: '{"args":[{"limit":"all"}]}' });
  assert.equal(bad.status, 400);
  assert.match(JSON.parse(bad.body).error.message, /listRuns: args\[0\]\.limit/);
  const ok = await raw('/api/call/appInfo', { method: 'POST', headers: withToken, body: '{"args":[]}' });
  assert.equal(ok.status, 200);
  assert.equal(JSON.parse(ok.body).value.mode, 'web');
  assert.match(served.url, /^http:\/\/127\.0\.0\.1:/);
});

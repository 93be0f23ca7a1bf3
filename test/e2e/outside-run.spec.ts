// A run started from a terminal (`effconv run` on a remote GPU box, say) while the web UI is
// open: it appears in the list by itself, and its live view follows it to the end, all
// through the database that the CLI and the server share.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { addFashionMnist, REPO_ROOT } from '../helpers/data';
import { launchBrowser, screenshot, serve, type Served } from './harness';

let served: Served;
let browser: Browser;
let page: Page;

before(async () => {
  served = await serve();
  await addFashionMnist(served.home); // the terminal run's --dataset fashion-mnist: the repository's fixture
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
});

after(async () => {
  await browser?.close();
  await served?.stop();
});

/** `effconv run` as a user starts it in a terminal, on the server's EFFCONV_HOME. */
function terminalRun(name: string, seed: number) {
  const args = [
    'run', '--name', name, '--backbone', 'resnet8', '--dataset', 'fashion-mnist', '--budget', '60k', '--batch-size', '32', '--train-batch-size', '32',
    '--limit-train', '960', '--limit-test', '64', '--search-epochs', '3', '--train-epochs', '1', '--backend', 'wasm', '--seed', String(seed),
  ];
  const cli = spawn(process.execPath, [join(REPO_ROOT, 'bin/effconv.js'), ...args], { env: { ...process.env, EFFCONV_HOME: served.home }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  cli.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => cli.on('exit', resolve));
  return { cli, exited, stderr: () => err };
}

test('a CLI run shows up in the open list and its view follows it live to the end', { timeout: 600_000 }, async () => {
  await page.goto(served.url);
  await page.getByRole('heading', { name: 'Experiments' }).waitFor();
  await page.getByTestId('run-count').filter({ hasText: /^0 runs$/ }).waitFor();

  const { cli, exited, stderr } = terminalRun('from the terminal', 2);

  try {
    // No reload: the server hears of the run from the database and tells the page.
    const row = page.getByTestId('run-table').locator('tr[data-run="1"]');
    await row.filter({ hasText: 'running' }).waitFor({ timeout: 120_000 });
    assert.match((await row.textContent()) ?? '', /from the terminal.*resnet8.*fashion-mnist/);
    await row.getByRole('link', { name: '#1' }).click();
    await page.getByTestId('run-status').filter({ hasText: 'running' }).waitFor();

    const bar = page.getByRole('progressbar').first();
    await bar.and(page.locator('[aria-valuenow]')).waitFor({ timeout: 60_000 });
    const first = Number(await bar.getAttribute('aria-valuenow'));
    const deadline = Date.now() + 60_000;
    let now = first;
    while (now <= first && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      now = Number(await bar.getAttribute('aria-valuenow'));
    }
    assert.ok(now > first, `the progress moved on by itself (${first} → ${now})`);
    await page.getByTestId('size-heatmap').waitFor({ timeout: 60_000 });
    await screenshot(page, 'outside-run-live');

    await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 300_000 });
    await page.getByTestId('run-top1').filter({ hasText: '%' }).waitFor();
    // One training epoch is one point per line: drawn as markers, not an empty chart.
    const acc = page.getByRole('img', { name: 'Stage 2 test accuracy per epoch (%)' });
    await acc.locator('circle.marker').nth(1).waitFor();
    assert.equal(await acc.locator('circle.marker').count(), 2, 'top-1 and top-5 of the one epoch');
    await screenshot(page, 'outside-run-completed');
  } finally {
    if (cli.exitCode === null) cli.kill('SIGTERM');
  }
  assert.equal(await exited, 0, stderr());
});

test('Pause in the browser stops a terminal run at a checkpoint; Resume finishes it in the server', { timeout: 600_000 }, async () => {
  await page.goto(served.url);
  const { cli, exited, stderr } = terminalRun('paused from the browser', 4);
  try {
    const row = page.getByTestId('run-table').locator('tr[data-run="2"]');
    await row.filter({ hasText: 'running' }).waitFor({ timeout: 120_000 });
    await row.getByRole('link', { name: '#2' }).click();
    await page.getByTestId('run-status').filter({ hasText: 'running' }).waitFor();
    await page.getByRole('progressbar').first().and(page.locator('[aria-valuenow]')).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    // The request travels through the database; the terminal run checkpoints and exits.
    assert.equal(await exited, 0, stderr());
    assert.match(stderr(), /run 2 paused at a checkpoint; effconv resume 2 continues it/);
    await page.getByTestId('run-status').filter({ hasText: 'paused' }).waitFor({ timeout: 30_000 });
  } finally {
    if (cli.exitCode === null) cli.kill('SIGTERM');
  }
  await page.getByRole('button', { name: 'Resume' }).click();
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 300_000 });
  await page.getByTestId('run-top1').filter({ hasText: '%' }).waitFor();
  // Each step once across the two processes.
  const steps = page.getByRole('table').filter({ hasText: 'Train loss' }).locator('tbody tr');
  assert.equal(await steps.count(), 4, 'three search epochs and one training epoch, each once');
  await screenshot(page, 'outside-run-paused-resumed');
});

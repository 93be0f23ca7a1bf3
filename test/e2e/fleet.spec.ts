// The workbench in a browser pointed at a fleet: the Workers view refuses an unreachable queue
// by name, takes a real one (redis-server) and lists both `effconv worker` processes with what
// they run; a run started then executes on a worker and its view follows it live to the end.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startWorker, type TestWorker } from '../helpers/fleet-workers';
import { freePort, startRedis, type RedisServer } from '../helpers/redis';
import { launchBrowser, screenshot, serve, type Served } from './harness';

let redis: RedisServer;
let workers: TestWorker[] = [];
let served: Served;
let browser: Browser;
let page: Page;

before(async () => {
  redis = await startRedis();
  [workers, served, browser] = await Promise.all([Promise.all([startWorker(redis.url, 'w1'), startWorker(redis.url, 'w2')]), serve(), launchBrowser()]);
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
});

after(async () => {
  await browser?.close();
  await served?.stop();
  await Promise.all(workers.map((w) => w.remove()));
  await redis?.remove();
});

test('Workers: set the queue, both workers listed; a remote run followed live to the end', { timeout: 600_000 }, async () => {
  await page.goto(served.url);
  await page.getByRole('link', { name: 'Workers' }).click();
  await page.getByText('New runs execute on this machine').waitFor();
  const input = page.getByLabel('Queue URL');

  const nobody = await freePort();
  await input.fill(`redis://127.0.0.1:${nobody}`);
  await page.getByRole('button', { name: 'Use this queue' }).click();
  const refused = page.getByTestId('error').filter({ hasText: 'cannot be reached' });
  await refused.waitFor();
  assert.match((await refused.textContent()) ?? '', /QUEUE_UNAVAILABLE/);

  await input.fill(redis.url);
  await page.getByRole('button', { name: 'Use this queue' }).click();
  await page.getByTestId('queue-state').filter({ hasText: 'Connected' }).waitFor();
  const rows = page.getByTestId('worker-row');
  await rows.nth(1).waitFor();
  assert.equal(await rows.count(), 2);
  for (const name of ['w1', 'w2']) {
    const row = rows.filter({ hasText: name });
    assert.match((await row.textContent()) ?? '', /online.*wasm.*WebAssembly SIMD, 1 thread/s);
  }

  // A run started through the Api now goes to the fleet.
  const reply = await page.evaluate(async () => {
    const options = {
      backbone: 'resnet8', dataset: 'fashion-mnist', budget: '60k', stages: 'both', searchEpochs: 3, trainEpochs: 1, batchSize: 32, trainBatchSize: 32,
      seed: 9, backend: 'wasm', limitTrain: 640, limitTest: 64,
    };
    const res = await fetch('/api/call/startRun', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ args: [{ experiment: 'on the fleet', options }] }) });
    return (await res.json()) as { ok: boolean; value: { runId: number } };
  });
  assert.ok(reply.ok, JSON.stringify(reply));
  const runId = reply.value.runId;
  // The worker that took it says so in the list, with a link to the run.
  const link = page.getByRole('link', { name: `run #${runId}` });
  await link.waitFor({ timeout: 120_000 });
  await screenshot(page, 'fleet-workers');
  await link.click();

  await page.getByTestId('run-status').filter({ hasText: 'running' }).waitFor();
  await page.getByTestId('run-worker').filter({ hasText: /on worker w[12] \(/ }).waitFor({ timeout: 60_000 });
  const bar = page.getByRole('progressbar').first();
  await bar.and(page.locator('[aria-valuenow]')).waitFor({ timeout: 120_000 });
  const first = Number(await bar.getAttribute('aria-valuenow'));
  let now = first;
  for (const deadline = Date.now() + 60_000; now <= first && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 200));
    now = Number(await bar.getAttribute('aria-valuenow'));
  }
  assert.ok(now > first, `the progress of the remote run moved on by itself (${first} → ${now})`);
  await page.getByTestId('size-heatmap').waitFor({ timeout: 60_000 });
  await screenshot(page, 'fleet-run-live');
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 300_000 });
  await page.getByTestId('run-top1').filter({ hasText: '%' }).waitFor();
  await screenshot(page, 'fleet-run-completed');
});

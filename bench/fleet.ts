// The fleet in `npm run bench`: the same 4 points (ResNet-20 on Fashion-MNIST, wasm, one
// thread each) run locally one after another (`effconv run` per point, as a terminal does),
// then through BullMQ on a real redis-server with 1 worker and with 2: points per hour, the
// 2-worker speed-up, and what the queue costs a point against running it locally. Workers have
// the data set already (its one-time transfer is timed on its own).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../main/contract/run';
import { connectQueue } from '../main/api/processes/fleet/connection';
import { FleetExecutor } from '../main/api/processes/fleet/fleet-executor';
import { datasetPackage, ensureDataset, offerDataset } from '../main/api/processes/fleet/fleet-datasets';
import { parseQueueUrl } from '../main/api/processes/fleet/queue-url';
import { openRunStore } from '../main/api/records/run-records';
import { importDataset } from '../main/data/library/import-dataset';
import { entryDir } from '../main/data/library/layout';
import { DEBIAN_FASHION_MNIST } from '../main/data/resolve';
import { getRunRow } from '../main/store';
import { effconvBin, startWorker, type TestWorker } from '../test/helpers/fleet-workers';
import { startRedis } from '../test/helpers/redis';

export interface FleetBenchOptions {
  points: number;
  backbone: string;
  limitTrain: number;
}

export interface FleetBench {
  points: number;
  describe: string;
  localSeconds: number;
  oneWorkerSeconds: number;
  twoWorkerSeconds: number;
  /** (1 worker − local) / local. */
  overheadPercent: number;
  /** Points per hour. */
  rates: { local: number; oneWorker: number; twoWorkers: number };
  speedup: number;
  /** Mean, median and largest ms from a report reaching Redis to its recording by the coordinator. */
  lagMs: { mean: number; median: number; max: number };
  /** One worker fetching the data set from the queue (MiB, seconds). */
  datasetFetch: { mib: number; seconds: number };
  loadAverage: number[];
}

export async function benchFleet(o: FleetBenchOptions): Promise<FleetBench> {
  const home = mkdtempSync(join(tmpdir(), 'effconv-bench-fleet-'));
  const saved = process.env.EFFCONV_HOME;
  process.env.EFFCONV_HOME = home;
  const load0 = loadavg()[0];
  const redis = await startRedis();
  const workers: TestWorker[] = [];
  try {
    await importDataset(DEBIAN_FASHION_MNIST, { name: 'fashion-mnist' });
    const point = (seed: number): RunOptions => ({
      ...DEFAULT_RUN_OPTIONS, backbone: o.backbone, dataset: 'fashion-mnist', budget: '0.2M', searchEpochs: 1, trainEpochs: 1, batchSize: 64, trainBatchSize: 64,
      seed, backend: 'wasm', limitTrain: o.limitTrain, limitTest: 1000,
    });
    const seeds = Array.from({ length: o.points }, (_, i) => 100 + i);
    const env = { ...process.env, EFFCONV_HOME: home, EFFCONV_WASM_THREADS: '1' };

    // Locally, one after another: each point an `effconv run` of its own.
    const t0 = performance.now();
    for (const seed of seeds) {
      const p = point(seed);
      const r = spawnSync(process.execPath, [effconvBin(), 'run', '--backbone', p.backbone, '--dataset', p.dataset, '--budget', String(p.budget), '--search-epochs', '1', '--train-epochs', '1',
        '--batch-size', '64', '--train-batch-size', '64', '--seed', String(seed), '--backend', 'wasm', '--limit-train', String(o.limitTrain), '--limit-test', '1000', '--quiet'], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`local point ${seed} failed: ${r.stderr}`);
    }
    const localSeconds = (performance.now() - t0) / 1000;

    // The data set through the queue once, timed on its own (the points below run on workers that have it).
    const conn = await connectQueue(parseQueueUrl(redis.url), 'bench');
    const pkg = datasetPackage('fashion-mnist');
    await offerDataset(conn, pkg);
    const fetchHome = mkdtempSync(join(tmpdir(), 'effconv-bench-fetch-'));
    process.env.EFFCONV_HOME = fetchHome;
    const f0 = performance.now();
    try {
      await ensureDataset(conn, pkg.ref);
    } finally {
      process.env.EFFCONV_HOME = home;
    }
    const fetchSeconds = (performance.now() - f0) / 1000;
    rmSync(fetchHome, { recursive: true, force: true });
    conn.disconnect();

    const give = (h: string) => cpSync(entryDir('fashion-mnist'), join(h, 'datasets', 'fashion-mnist'), { recursive: true });
    let lag = { messages: 0, totalMs: 0, maxMs: 0, recentMs: [] as number[] };
    const onFleet = async (n: number, name: string): Promise<number> => {
      while (workers.length < n) workers.push(await startWorker(redis.url, `bench-w${workers.length + 1}`, [], { EFFCONV_FLEET_LOCK_MS: '30000' }, give));
      const store = openRunStore(join(home, `${name}.db`));
      const target = parseQueueUrl(redis.url);
      const fleet = new FleetExecutor({ store, queue: target, redis: await connectQueue(target, name), attempts: 1, retryMs: 1000 });
      fleet.start();
      const t = performance.now();
      const ids = seeds.map((seed) => fleet.submit({ options: point(seed), runsRoot: join(home, `runs-${name}`) }).id);
      await fleet.idle();
      const seconds = (performance.now() - t) / 1000;
      for (const id of ids) if (getRunRow(store, id).status !== 'completed') throw new Error(`fleet point ${id}: ${getRunRow(store, id).error}`);
      lag = { messages: lag.messages + fleet.lag.messages, totalMs: lag.totalMs + fleet.lag.totalMs, maxMs: Math.max(lag.maxMs, fleet.lag.maxMs), recentMs: [...lag.recentMs, ...fleet.lag.recentMs] };
      await fleet.shutdown();
      store.close();
      return seconds;
    };
    const oneWorkerSeconds = await onFleet(1, 'one');
    const twoWorkerSeconds = await onFleet(2, 'two');
    const rate = (s: number) => (o.points / s) * 3600;
    return {
      points: o.points,
      describe: `${o.points} points of ${o.backbone} on Fashion-MNIST (${o.limitTrain} images, 1 search + 1 training epoch, batch 64), wasm with 1 thread per point`,
      localSeconds, oneWorkerSeconds, twoWorkerSeconds,
      overheadPercent: ((oneWorkerSeconds - localSeconds) / localSeconds) * 100,
      rates: { local: rate(localSeconds), oneWorker: rate(oneWorkerSeconds), twoWorkers: rate(twoWorkerSeconds) },
      speedup: oneWorkerSeconds / twoWorkerSeconds,
      lagMs: { mean: lag.messages ? lag.totalMs / lag.messages : 0, median: [...lag.recentMs].sort((a, b) => a - b)[Math.floor(lag.recentMs.length / 2)] ?? 0, max: lag.maxMs },
      datasetFetch: { mib: pkg.ref.bytes / 2 ** 20, seconds: fetchSeconds },
      loadAverage: [load0, loadavg()[0]],
    };
  } finally {
    await Promise.all(workers.map((w) => w.remove()));
    await redis.remove();
    process.env.EFFCONV_HOME = saved;
    rmSync(home, { recursive: true, force: true });
  }
}

export function formatFleetBench(r: FleetBench): string {
  const f = (v: number, d = 1) => v.toFixed(d);
  return [
    `fleet (BullMQ on a local redis-server): ${r.describe}; load average ${f(r.loadAverage[0], 2)} → ${f(r.loadAverage[1], 2)}`,
    `  locally, one after another  ${f(r.localSeconds).padStart(7)} s  ${f(r.rates.local).padStart(6)} points/h`,
    `  1 worker                    ${f(r.oneWorkerSeconds).padStart(7)} s  ${f(r.rates.oneWorker).padStart(6)} points/h   queue overhead ${r.overheadPercent >= 0 ? '+' : ''}${f(r.overheadPercent, 2)}% of run time (goal ≤ 2%)`,
    `  2 workers                   ${f(r.twoWorkerSeconds).padStart(7)} s  ${f(r.rates.twoWorkers).padStart(6)} points/h   ${f(r.speedup, 2)}× one worker`,
    `  reports recorded ${f(r.lagMs.median, 0)} ms (median; mean ${f(r.lagMs.mean, 0)}, max ${f(r.lagMs.max, 0)} ms) after reaching Redis; the data set (${f(r.datasetFetch.mib)} MiB) fetched by a worker once in ${f(r.datasetFetch.seconds)} s`,
  ].join('\n');
}

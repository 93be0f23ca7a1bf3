// Run-time estimates for the Api (estimateRun; estimateSweep uses estimateMany): each a probe of
// the run's network in a task (it loads tfjs), one probe at a time (two at once would each time
// the other's load). The per-step times do not depend on the epochs, so a run is probed once
// for one epoch of each stage and scaled: changing the epochs in a form answers at once. What a
// probe measures while runs train on this machine reads high, so it is said, and not kept.
import type { RunEstimate } from '../../contract/estimate';
import { rescaleEstimate } from '../../contract/estimate';
import type { RunOptions } from '../../contract/run';
import type { TaskRunner } from '../processes/tasks';

export interface EstimateServiceOptions {
  tasks: TaskRunner;
  /** Whether runs are training on this machine now (any process). */
  busy: () => boolean;
}

export interface EstimateService {
  estimateRun(options: RunOptions): Promise<RunEstimate>;
  /** Estimates of many runs, probed together in one task; `wasmThreads`: probe at this share of the cores. */
  estimateMany(runs: RunOptions[], wasmThreads?: number): Promise<RunEstimate[]>;
}

/** Remembered for a while in this process; the machine's cache (step-timings.json) keeps them longer. */
const MEMO_MS = 10 * 60_000;

const epochs = (o: RunOptions) => ({ searchEpochs: o.stages === 'train' ? 0 : o.searchEpochs, trainEpochs: o.stages === 'search' ? 0 : o.trainEpochs });

/** The same run with one epoch of each stage it has (the seed does not change a step's time). */
function unitRun(o: RunOptions): RunOptions {
  return { ...o, searchEpochs: o.stages === 'train' ? 0 : 1, trainEpochs: o.stages === 'search' ? 0 : 1, seed: 0 };
}

export function createEstimateService(o: EstimateServiceOptions): EstimateService {
  let queue: Promise<unknown> = Promise.resolve();
  const memo = new Map<string, { at: number; value: Promise<RunEstimate> }>();

  function probe(runs: RunOptions[], wasmThreads: number | undefined): Promise<RunEstimate[]> {
    const next = queue.then(async () => {
      const busy = o.busy();
      const found = await o.tasks({ kind: 'estimate', runs, keep: !busy, ...(wasmThreads !== undefined ? { wasmThreads } : {}) });
      return found.map((e) => ({ ...e, probedWhileBusy: busy && !e.cached }));
    });
    queue = next.catch(() => {});
    return next;
  }

  async function estimateMany(runs: RunOptions[], wasmThreads?: number): Promise<RunEstimate[]> {
    const now = Date.now();
    for (const [k, m] of memo) if (now - m.at > MEMO_MS) memo.delete(k);
    const units = runs.map(unitRun);
    const keys = units.map((u) => JSON.stringify([u, wasmThreads ?? null]));
    const missing = [...new Map(keys.map((k, i) => [k, units[i]] as const)).entries()].filter(([k]) => !memo.has(k));
    if (missing.length) {
      const batch = probe(missing.map(([, u]) => u), wasmThreads);
      missing.forEach(([k], i) => {
        const value = batch.then((all) => all[i]);
        memo.set(k, { at: now, value });
        // A failure, or a reading taken under load, is not remembered.
        value.then((e) => e.probedWhileBusy && memo.delete(k), () => memo.delete(k));
      });
    }
    const unit = await Promise.all(keys.map((k) => memo.get(k)!.value));
    return unit.map((e, i) => rescaleEstimate(e, epochs(units[i]), epochs(runs[i])));
  }

  return {
    estimateMany,
    async estimateRun(options: RunOptions): Promise<RunEstimate> {
      return (await estimateMany([options]))[0];
    },
  };
}

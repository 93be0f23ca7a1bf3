// What recording metrics costs a stage-1 step: real steps of the caller's model and batches,
// alternately without and with the store's MetricsRecorder (every step recorded, committed in
// batches with fsync, as a run does). For `npm run bench` and the store's tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepEvent } from '../main/contract/events';
import { DEFAULT_RUN_OPTIONS } from '../main/contract/run';
import type { SearchModel } from '../main/engine/effconv/search-model';
import type { Batch } from '../main/engine/train/batch-source';
import { experimentNamed, insertRun, MetricsRecorder, openStore } from '../main/store';

export interface LoggingOverhead {
  /** Steps timed in each arm. */
  steps: number;
  /** Median ms of a step alone, and of a step plus recording its event. */
  stepMs: number;
  stepWithLoggingMs: number;
  /** Mean ms per step spent inside the recorder (buffering, and its share of the batched commits). */
  recorderMsPerStep: number;
  /** recorderMsPerStep as a percentage of stepMs: the cost itself, free of step-time noise. */
  overheadPercent: number;
  /** (stepWithLoggingMs − stepMs) / stepMs in percent: the same cost seen end to end, noisier. */
  abPercent: number;
  /** Transactions committed during the measurement, and the step rows they wrote (= steps). */
  commits: number;
  stepRows: number;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export interface LoggingOverheadOptions {
  model: SearchModel;
  batches: Batch[];
  /** Steps per arm (default 20), after 2 warm-up steps. */
  steps?: number;
  /** The recorder's commit interval (default 1000 ms, as in a run). */
  flushEveryMs?: number;
}

export async function measureLoggingOverhead(o: LoggingOverheadOptions): Promise<LoggingOverhead> {
  const steps = o.steps ?? 20;
  const dir = mkdtempSync(join(tmpdir(), 'effconv-logging-'));
  const store = openStore(join(dir, 'overhead.db'));
  try {
    const options = { ...DEFAULT_RUN_OPTIONS, dataset: 'logging-overhead' };
    const runId = insertRun(store, { experimentId: experimentNamed(store, 'logging overhead', options), options, backbone: 'bench', budget: o.model.budget, runsRoot: dir });
    const recorder = new MetricsRecorder(store, runId, { flushEveryMs: o.flushEveryMs });
    let n = 0;
    const step = async (): Promise<StepEvent> => {
      const m = await o.model.step(o.batches[n % o.batches.length]);
      n += 1;
      return {
        type: 'step', stage: 1, epoch: 1, step: n, stepInEpoch: n, stepsPerEpoch: 2 * steps + 2, totalSteps: 2 * steps + 2,
        loss: m.loss, ce: m.ce, lparam: m.lparam, params: m.params, soft: m.soft, hard: m.hard, lr: o.model.hyper.lrSizePredictor, ms: 0, etaSeconds: 0,
      };
    };
    for (let i = 0; i < 2; i++) await step();
    const plain: number[] = [];
    const logged: number[] = [];
    // Alternate the arms so drift (thermal, other processes) falls on both alike.
    for (let i = 0; i < 2 * steps; i++) {
      const t0 = performance.now();
      const e = await step();
      if (i % 2 === 1) recorder.record(e);
      (i % 2 === 1 ? logged : plain).push(performance.now() - t0);
    }
    recorder.flush();
    const stepMs = median(plain);
    const stepWithLoggingMs = median(logged);
    const recorderMsPerStep = recorder.costMs / steps;
    const stepRows = store.db.prepare('SELECT count(*) FROM step_metrics WHERE run_id = ?').pluck().get(runId) as number;
    return {
      steps, stepMs, stepWithLoggingMs, recorderMsPerStep, commits: recorder.commits, stepRows,
      overheadPercent: (100 * recorderMsPerStep) / stepMs,
      abPercent: (100 * (stepWithLoggingMs - stepMs)) / stepMs,
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

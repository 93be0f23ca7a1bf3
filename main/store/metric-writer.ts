// Records a run's training events in the database in batches: events are buffered and
// written in one transaction every flushEveryMs (and at every epoch and stage boundary), so a
// step pays for an array push, not for a commit. Those commits skip the fsync: rows after the
// last checkpoint are recomputed on resume anyway. A checkpoint's commit (flush(also)) and
// every status change are durable, and make all rows before them durable with them.
import type { Stage, TrainEvent } from '../contract/events';
import type { Store } from './db';
import { finiteOrNull, float32Json } from './rows';

export interface MetricsRecorderOptions {
  /** Longest time an event waits in memory before it is committed (default 1000 ms). */
  flushEveryMs?: number;
  now?: () => number;
}

interface Progress {
  stage: Stage;
  epoch: number;
  step: number;
  totalSteps: number;
  eta: number | null;
  sizes: string | null;
  params: number | null;
}

type Row = unknown[];

export class MetricsRecorder {
  private steps: Row[] = [];
  private sizes: Row[] = [];
  private epochs: Row[] = [];
  private progress: Progress | null = null;
  private lastFlush: number;
  private readonly flushEveryMs: number;
  private readonly now: () => number;
  /** Wall time spent in record() and flush(), for the logging-overhead measurement. */
  costMs = 0;
  rowsWritten = 0;
  commits = 0;

  constructor(
    private readonly store: Store,
    readonly runId: number,
    o: MetricsRecorderOptions = {},
  ) {
    this.flushEveryMs = o.flushEveryMs ?? 1000;
    this.now = o.now ?? Date.now;
    this.lastFlush = this.now();
  }

  record(e: TrainEvent): void {
    const t0 = performance.now();
    const time = this.now();
    let boundary = false;
    switch (e.type) {
      case 'step':
        this.steps.push([this.runId, e.stage, e.step, e.epoch, finiteOrNull(e.loss), finiteOrNull(e.ce), finiteOrNull(e.lparam), e.params ?? null, finiteOrNull(e.lr), finiteOrNull(e.acc), e.ms, time]);
        if (e.stage === 1 && e.soft && e.hard) this.sizes.push([this.runId, e.step, float32Json(e.soft), JSON.stringify(e.hard)]);
        this.progress = {
          stage: e.stage, epoch: e.epoch, step: e.step, totalSteps: e.totalSteps, eta: finiteOrNull(e.etaSeconds),
          sizes: e.hard ? JSON.stringify(e.hard) : (this.progress?.sizes ?? null), params: e.params ?? this.progress?.params ?? null,
        };
        break;
      case 'epoch':
        this.epochs.push([
          this.runId, e.stage, e.epoch, e.seconds, finiteOrNull(e.trainLoss), finiteOrNull(e.trainAcc), finiteOrNull(e.top1), finiteOrNull(e.top5),
          finiteOrNull(e.testLoss), e.params ?? null, e.hard ? JSON.stringify(e.hard) : null, e.soft ? float32Json(e.soft) : null, time,
        ]);
        boundary = true;
        break;
      case 'stage':
        if (e.status === 'start') {
          this.progress = { stage: e.stage, epoch: 0, step: 0, totalSteps: e.totalSteps, eta: null, sizes: e.sizes ? JSON.stringify(e.sizes) : null, params: e.params ?? null };
        }
        boundary = true;
        break;
      case 'log':
        break;
    }
    this.costMs += performance.now() - t0;
    if (boundary || time - this.lastFlush >= this.flushEveryMs) this.flush();
  }

  get pending(): number {
    return this.steps.length + this.sizes.length + this.epochs.length;
  }

  /** Commit everything buffered; `also` runs inside the same, durable, transaction (a checkpoint's row). */
  flush(also?: () => void): void {
    const t0 = performance.now();
    const { store } = this;
    const steps = this.steps;
    const sizes = this.sizes;
    const epochs = this.epochs;
    const progress = this.progress;
    store.write(() => {
      const s = store.prepare('INSERT INTO step_metrics (run_id, stage, step, epoch, loss, ce, lparam, params, lr, acc, ms, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      for (const r of steps) s.run(...r);
      const h = store.prepare('INSERT INTO size_history (run_id, step, soft, hard) VALUES (?, ?, ?, ?)');
      for (const r of sizes) h.run(...r);
      const ep = store.prepare(
        'INSERT INTO epoch_metrics (run_id, stage, epoch, seconds, train_loss, train_acc, top1, top5, test_loss, params, sizes, soft, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      for (const r of epochs) ep.run(...r);
      if (progress) {
        store
          .prepare('UPDATE runs SET stage = ?, epoch = ?, step = ?, total_steps = ?, eta_seconds = ?, sizes = coalesce(?, sizes), params = coalesce(?, params), updated_at = ? WHERE id = ?')
          .run(progress.stage, progress.epoch, progress.step, progress.totalSteps, progress.eta, progress.sizes, progress.params, this.now(), this.runId);
      }
      also?.();
    }, { durable: also !== undefined });
    // Only forget the rows once they are committed: a failed commit keeps them for the next try.
    this.rowsWritten += steps.length + sizes.length + epochs.length;
    this.commits += 1;
    this.steps = [];
    this.sizes = [];
    this.epochs = [];
    this.lastFlush = this.now();
    this.costMs += performance.now() - t0;
  }
}

/** Where a checkpoint leaves a run: stage `stage` has `steps` steps and `epochs` whole epochs done. */
export interface MetricsMark {
  stage: Stage;
  steps: number;
  epochs: number;
}

/**
 * Delete the rows recorded after a checkpoint, before the run continues from it: those steps
 * run again, and each step must appear once. Stage-1 rows stay when the mark is in stage 2.
 */
export function truncateMetrics(store: Store, runId: number, mark: MetricsMark): void {
  store.write(() => {
    store.prepare('DELETE FROM step_metrics WHERE run_id = ? AND (stage > ? OR (stage = ? AND step > ?))').run(runId, mark.stage, mark.stage, mark.steps);
    store.prepare('DELETE FROM epoch_metrics WHERE run_id = ? AND (stage > ? OR (stage = ? AND epoch > ?))').run(runId, mark.stage, mark.stage, mark.epochs);
    if (mark.stage === 1) store.prepare('DELETE FROM size_history WHERE run_id = ? AND step > ?').run(runId, mark.steps);
  });
}

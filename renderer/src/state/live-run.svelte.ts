// One run as the live view sees it: details from the store, then pushed events appended,
// with the charts refreshed at most four times a second.
import type { KernelMaps, PushEvent, RunDetail, RunMetrics } from '../../../main/contract/api';
import type { RunStatus } from '../../../main/contract/store';
import type { TrainEvent } from '../../../main/contract/events';
import { api } from '../api';
import { GrowingSeries, SizeRows } from './series';

export interface EpochRow {
  stage: 1 | 2;
  epoch: number;
  seconds: number;
  trainLoss: number;
  top1: number | null;
  top5: number | null;
  params: number | null;
}

export class LiveRun {
  readonly id: number;
  detail = $state.raw<RunDetail | null>(null);
  status = $state<RunStatus | null>(null);
  error = $state<unknown>(null);
  loadError = $state<unknown>(null);
  /** Bumped when new data arrived; charts derive from it. */
  version = $state(0);
  progress: { stage: number; step: number; total: number; eta: number | null } | null = $state(null);
  kernels = $state.raw<KernelMaps | null>(null);
  epochs = $state.raw<EpochRow[]>([]);
  hard = $state.raw<number[] | null>(null);
  soft = $state.raw<number[] | null>(null);
  readonly s1 = new GrowingSeries(['loss', 'ce', 'lparam', 'params'] as const);
  readonly s2 = new GrowingSeries(['loss', 'acc', 'lr'] as const);
  readonly sizes = new SizeRows();
  private pending = false;
  private reloading = false;
  private statusPushes = 0;
  private kernelTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(id: number) {
    this.id = id;
  }

  async load(): Promise<void> {
    try {
      const [detail, metrics, sizes] = await Promise.all([api.getRun(this.id), api.runMetrics(this.id, 4000), api.runSizes(this.id, 1200)]);
      this.detail = detail;
      this.status = detail.status;
      this.error = detail.error;
      this.hard = detail.sizes;
      this.soft = detail.soft;
      if (detail.progress) this.progress = { stage: detail.progress.stage, step: detail.progress.step, total: detail.progress.totalSteps, eta: detail.progress.etaSeconds };
      this.applyMetrics(metrics);
      this.sizes.load(sizes.step, sizes.soft, sizes.hard);
      if (sizes.soft.length && !this.soft) {
        this.soft = sizes.soft[sizes.soft.length - 1];
        this.hard = sizes.hard[sizes.hard.length - 1];
      }
      this.loadError = null;
      this.version++;
      void this.refreshKernels();
    } catch (e) {
      this.loadError = e;
    }
  }

  private applyMetrics(m: RunMetrics): void {
    this.s1.load(m.stage1.step, m.stage1.columns);
    this.s2.load(m.stage2.step, m.stage2.columns);
    this.epochs = m.epochs;
  }

  async refreshKernels(): Promise<void> {
    try {
      this.kernels = await api.runKernels(this.id);
    } catch {
      // kernels are a view extra: keep the last ones if this fails
    }
  }

  private scheduleKernels(): void {
    this.kernelTimer ??= setTimeout(() => {
      this.kernelTimer = null;
      void this.refreshKernels();
    }, 500);
  }

  private flushSoon(): void {
    if (this.pending) return;
    this.pending = true;
    setTimeout(() => {
      this.pending = false;
      this.version++;
    }, 250);
  }

  onPush(e: PushEvent): void {
    if (e.kind === 'run-status' && e.runId === this.id) {
      // The status changes together with the detail it goes with (a started run's layers and
      // device, a completed run's top-1), so the view never shows one without the other; the
      // latest push wins when reloads overlap.
      const seq = ++this.statusPushes;
      void this.reloadDetail().finally(() => {
        if (seq !== this.statusPushes) return;
        this.status = e.status;
        this.error = e.error;
      });
      return;
    }
    if (e.kind !== 'run' || e.runId !== this.id) return;
    this.onEvent(e.event);
  }

  private async reloadDetail(): Promise<void> {
    try {
      this.detail = await api.getRun(this.id);
      this.hard = this.detail.sizes ?? this.hard;
      this.soft = this.detail.soft ?? this.soft;
      void this.refreshKernels();
    } catch (e) {
      this.loadError = e;
    }
  }

  private onEvent(e: TrainEvent): void {
    // Opened before the worker started: the detail has no layer names yet.
    if (this.detail && !this.detail.layers?.length && !this.reloading) {
      this.reloading = true;
      void this.reloadDetail().finally(() => (this.reloading = false));
    }
    if (e.type === 'step') {
      this.progress = { stage: e.stage, step: e.step, total: e.totalSteps, eta: e.etaSeconds };
      if (e.stage === 1) {
        this.s1.push(e.step, { loss: e.loss, ce: e.ce, lparam: e.lparam, params: e.params });
        if (e.soft && e.hard) {
          this.sizes.push(e.step, e.soft, e.hard);
          this.soft = e.soft;
          this.hard = e.hard;
        }
      } else {
        this.s2.push(e.step, { loss: e.loss, acc: e.acc, lr: e.lr });
      }
      this.flushSoon();
    } else if (e.type === 'epoch') {
      this.epochs = [...this.epochs.filter((r) => !(r.stage === e.stage && r.epoch === e.epoch)), {
        stage: e.stage, epoch: e.epoch, seconds: e.seconds, trainLoss: e.trainLoss, top1: e.top1 ?? null, top5: e.top5 ?? null, params: e.params ?? null,
      }];
      this.scheduleKernels();
      this.flushSoon();
    } else if (e.type === 'stage') {
      if (e.sizes) this.hard = e.sizes;
      this.progress = { stage: e.stage, step: e.status === 'start' ? 0 : e.totalSteps, total: e.totalSteps, eta: null };
      this.scheduleKernels();
      this.flushSoon();
    }
  }
}

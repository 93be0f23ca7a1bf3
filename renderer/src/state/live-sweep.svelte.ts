// One sweep as its view follows it: the Api's detail, reloaded (throttled) when one of its
// points changes status, and each running point's progress kept current from its step events
// in between, so a sweep of hundreds of points costs one read per status change, not per step.
import type { PushEvent } from '../../../main/contract/api';
import type { RunProgress } from '../../../main/contract/store';
import type { SweepDetail } from '../../../main/contract/sweep';
import { api } from '../api';

/** How long a burst of status changes (a sweep's points ending together) waits before one reload. */
const RELOAD_MS = 400;
/** How often live progress reaches the screen. */
const PROGRESS_MS = 500;

export class LiveSweep {
  readonly id: number;
  detail = $state.raw<SweepDetail | null>(null);
  loadError = $state<unknown>(null);
  /** Live progress of running points by run id (newer than the detail's). */
  progress = $state.raw<ReadonlyMap<number, RunProgress>>(new Map());
  /** When the detail (and its ETA) was read, for the ETA's countdown. */
  loadedAt = $state(0);
  /** Milliseconds the last read took (read by the scale test). */
  lastMs = $state(0);
  private runIds = new Set<number>();
  private pendingProgress = new Map<number, RunProgress>();
  private reloadTimer: ReturnType<typeof setTimeout> | null = null;
  private progressTimer: ReturnType<typeof setTimeout> | null = null;
  private seq = 0;

  constructor(id: number) {
    this.id = id;
  }

  async load(): Promise<void> {
    const seq = ++this.seq;
    const t0 = performance.now();
    try {
      const d = await api.getSweep(this.id);
      if (seq !== this.seq) return;
      this.detail = d;
      this.runIds = new Set(d.points.map((p) => p.runId));
      // Progress from events older than this read is stale; running points keep theirs.
      const next = new Map<number, RunProgress>();
      for (const p of d.points) {
        const live = this.progress.get(p.runId);
        if (p.status === 'running' && live) next.set(p.runId, live);
      }
      this.progress = next;
      this.loadError = null;
      this.loadedAt = Date.now();
      this.lastMs = performance.now() - t0;
    } catch (e) {
      if (seq === this.seq) this.loadError = e;
    }
  }

  onPush(e: PushEvent): void {
    if (e.kind === 'task' || !this.runIds.has(e.runId)) return;
    if (e.kind === 'run-status') {
      this.reloadTimer ??= setTimeout(() => {
        this.reloadTimer = null;
        void this.load();
      }, RELOAD_MS);
      return;
    }
    const ev = e.event;
    if (ev.type !== 'step') return;
    this.pendingProgress.set(e.runId, { stage: ev.stage, epoch: ev.epoch, step: ev.step, totalSteps: ev.totalSteps, etaSeconds: ev.etaSeconds });
    this.progressTimer ??= setTimeout(() => {
      this.progressTimer = null;
      const next = new Map(this.progress);
      for (const [id, p] of this.pendingProgress) next.set(id, p);
      this.pendingProgress.clear();
      this.progress = next;
    }, PROGRESS_MS);
  }

  dispose(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.seq++;
  }
}

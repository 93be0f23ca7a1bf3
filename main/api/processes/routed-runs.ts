// Where a shell's runs execute when a fleet may be in play: new and resumed runs go to the
// fleet's queue while one is set, else to the local executor; pause and cancel go to whichever
// holds the run. The queue can be set, changed or cleared while the app runs (the GUI's setting),
// once no run is on the current one.
import type { FleetStatus, QueueSettings } from '../../contract/api';
import { EffconvError } from '../../contract/errors';
import type { RunExecutorEvent, RunRow } from '../../contract/store';
import { getRunRow, storeId, type Store } from '../../store';
import type { NewRunRequest } from '../records/run-records';
import { connectQueue } from './fleet/connection';
import type { FleetExecutor } from './fleet/fleet-executor';
import { FLEET_PROTOCOL } from './fleet/protocol';
import { parseQueueUrl, type QueueTarget } from './fleet/queue-url';
import type { Redis } from 'ioredis';
import type { RunExecutor } from './run-executor';

export interface RoutedRunsOptions {
  /** Makes the fleet's executor for a queue (connected by connectQueue, or still connecting). */
  fleet: (target: QueueTarget, redis: Redis | null) => FleetExecutor;
  /** Remember a queue set through setQueue (the GUI's setting); absent: not remembered. */
  remember?: (url: string | null) => void;
}

export class RoutedRuns implements RunExecutor {
  private readonly listeners = new Set<(e: RunExecutorEvent) => void>();
  private fleetOff: (() => void) | null = null;
  private readonly localOff: () => void;
  private started = false;

  constructor(
    private readonly store: Store,
    private readonly local: RunExecutor,
    private fleet: FleetExecutor | null,
    private readonly o: RoutedRunsOptions,
  ) {
    this.localOff = local.subscribe((e) => this.emit(e));
    this.attach();
  }

  private attach(): void {
    this.fleetOff?.();
    this.fleetOff = this.fleet ? this.fleet.subscribe((e) => this.emit(e)) : null;
  }

  private emit(e: RunExecutorEvent): void {
    for (const f of this.listeners) {
      try {
        f(e);
      } catch {
        // A listener's failure must not stop the executors.
      }
    }
  }

  private holder(runId: number): RunExecutor {
    return getRunRow(this.store, runId).fleet_job && this.fleet ? this.fleet : this.local;
  }

  start(): void {
    this.started = true;
    this.local.start();
    this.fleet?.start();
  }

  submit(r: NewRunRequest): RunRow {
    return (this.fleet ?? this.local).submit(r);
  }

  enqueue(runIds: readonly number[]): void {
    (this.fleet ?? this.local).enqueue(runIds);
  }

  resume(runId: number): RunRow {
    return (this.fleet ?? this.local).resume(runId);
  }

  pause(runId: number): RunRow {
    return this.holder(runId).pause(runId);
  }

  cancel(runId: number): RunRow {
    return this.holder(runId).cancel(runId);
  }

  get running(): number[] {
    return [...this.local.running, ...(this.fleet?.running ?? [])];
  }

  subscribe(f: (e: RunExecutorEvent) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  async idle(): Promise<void> {
    await Promise.all([this.local.idle(), this.fleet?.idle()]);
  }

  async shutdown(o?: { pauseRunning?: boolean }): Promise<void> {
    await Promise.all([this.local.shutdown(o), this.fleet?.shutdown()]);
    this.fleetOff?.();
    this.localOff();
  }

  // ---- the fleet as the Api shows it -------------------------------------------------------

  queueSettings(): QueueSettings {
    return { queue: this.fleet?.target.display ?? null, active: this.fleet?.running.length ?? 0 };
  }

  async fleetStatus(): Promise<FleetStatus> {
    const f = this.fleet;
    if (!f) return { queue: null, connected: false, error: null, protocol: FLEET_PROTOCOL, workers: [] };
    const link = f.linkState;
    if (!link.up) return { queue: f.target.display, connected: false, error: { code: link.error.code, message: link.error.message, detail: link.error.detail }, protocol: FLEET_PROTOCOL, workers: [] };
    const mine = storeId(this.store);
    const workers = await f.workers();
    return {
      queue: f.target.display, connected: true, error: null, protocol: FLEET_PROTOCOL,
      workers: workers.map((w) => ({
        id: w.id, name: w.name, host: w.host, backend: w.backend, device: w.device, concurrency: w.concurrency, version: w.version, protocol: w.protocol,
        online: w.online, lastSeen: w.lastSeen, startedAt: w.startedAt,
        running: w.jobs.map((j) => ({ runId: j.storeId === mine ? j.runId : null, jobId: j.jobId, since: j.since })),
      })),
    };
  }

  /** Checked first (a wrong URL, password or host is refused by name, and nothing changes). */
  async setQueue(url: string | null): Promise<QueueSettings> {
    const target = url === null ? null : parseQueueUrl(url);
    if (target && this.fleet && target.display === this.fleet.target.display) {
      this.o.remember?.(url);
      return this.queueSettings();
    }
    if (this.fleet && this.fleet.running.length > 0) {
      throw new EffconvError('RUN_STATE', `${this.fleet.running.length} run(s) are on the queue at ${this.fleet.target.display}: let them end (or cancel them) before changing the queue`, 'queue');
    }
    const redis = target ? await connectQueue(target, 'effconv-coordinator') : null;
    const old = this.fleet;
    this.fleet = target ? this.o.fleet(target, redis) : null;
    this.attach();
    await old?.shutdown();
    if (this.started) this.fleet?.start();
    this.o.remember?.(url);
    return this.queueSettings();
  }
}

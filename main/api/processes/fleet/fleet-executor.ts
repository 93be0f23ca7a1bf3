// The fleet as a RunExecutor: the coordinator (the process that owns the store) records runs as
// every executor does, then puts a BullMQ job per run on the fleet's queue instead of starting
// a local process. It follows each run's stream in Redis and applies what the worker reports
// with the same recording code as a local run (RunRecording), publishing the same events, so
// every view follows a remote run as it follows a local one. It also keeps the queue honest:
// jobs that failed for good end their runs, pause and cancel reach the worker, runs whose
// follower died are taken up again, and nothing is lost while Redis is away.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { EffconvError, serializeError, type SerializedError } from '../../../contract/errors';
import type { TrainEvent } from '../../../contract/events';
import type { RunRow } from '../../../contract/store';
import {
  activeFleetRuns, assignToFleet, endRun, fleetRunStarted, getRunRow, getRunSummary, listArtifacts, readRequest, requestRun, storeId, takeFleetRun, type Store,
} from '../../../store';
import { createRun, queueResume, type NewRunRequest } from '../../records/run-records';
import { isProcessAlive, processToken } from '../../../common/process-liveness';
import type { RunResult } from '../../run/pipeline';
import { resumePoint, RunRecording } from '../../run/run-recording';
import { LocalRunExecutor } from '../run-executor';
import { readPointer } from './attempt-channel';
import { deleteBlob, putBlob, readBlob } from './blobs';
import { openQueueConnection, watchLink, type LinkState } from './connection';
import { cachedPackages, datasetPackage, offerDataset, type DatasetPackage } from './fleet-datasets';
import { BULL_PREFIX, jobIdFor, keys, QUEUE_NAME, runKey } from './keys';
import { decodeMessage, errorOf, eventsOf, FLEET_PROTOCOL, type JobData, type Message, type WorkerIdentity } from './protocol';
import { redisOptions, type QueueTarget } from './queue-url';
import { listWorkerBeats, type ListedWorker } from './registry';
import { sha256Hex } from '../../../export/weights';

export interface FleetExecutorOptions {
  store: Store;
  queue: QueueTarget;
  /** A connection made (and checked) by connectQueue; absent: one that keeps trying until Redis answers. */
  redis?: Redis | null;
  /** Checkpoint inside an epoch this often (default: the worker's, 5 min). */
  checkpointEveryMs?: number;
  attempts: number;
  retryMs: number;
  /** Also take up fleet runs whose follower died (the app, `effconv serve`); a terminal run follows only its own. */
  adopt?: boolean;
  /** Describes a run's data set for the workers (the app: in a task process); default: here. */
  describeDataset?: (spec: string) => Promise<DatasetPackage>;
}

interface Followed {
  runId: number;
  run: string;
  jobId: string;
  /** The stream entry after which to read. */
  lastId: string;
  rec: RunRecording | null;
  attempt: string | null;
  worker: WorkerIdentity | null;
  /** The job is on the queue (or was found there). */
  enqueued: boolean;
  /** A pause or cancel passed on to the worker. */
  relayed: string | null;
}

const RECONCILE_MS = 1000;

export class FleetExecutor extends LocalRunExecutor {
  private readonly redis: Redis;
  private reader: Redis | null = null;
  private queue: Queue | null = null;
  private readonly followed = new Map<number, Followed>();
  private readonly id: string;
  private closed = false;
  private link: LinkState = { up: true };
  private unwatch: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reconciling = false;
  private wake: (() => void) | null = null;
  private readonly linkListeners = new Set<(s: LinkState) => void>();
  private readonly dataset: (spec: string) => Promise<DatasetPackage>;
  /** How far behind the workers this coordinator records: from each message's arrival in Redis (its stream id) to its recording here. */
  readonly lag = { messages: 0, totalMs: 0, maxMs: 0, recentMs: [] as number[] };

  constructor(private readonly o: FleetExecutorOptions) {
    super(o.store);
    this.redis = o.redis ?? openQueueConnection(o.queue, 'effconv-coordinator');
    this.id = storeId(o.store);
    this.dataset = cachedPackages(o.describeDataset ?? (async (spec) => datasetPackage(spec)));
    if (this.redis.status !== 'ready') {
      this.link = { up: false, error: new EffconvError('QUEUE_UNAVAILABLE', `connecting to the fleet's Redis at ${o.queue.display}…`, o.queue.display) };
    }
  }

  get target(): QueueTarget {
    return this.o.queue;
  }

  get linkState(): LinkState {
    return this.link;
  }

  onLink(f: (s: LinkState) => void): () => void {
    this.linkListeners.add(f);
    return () => this.linkListeners.delete(f);
  }

  start(): void {
    this.reader = this.redis.duplicate();
    this.reader.on('error', () => {});
    this.queue = new Queue(QUEUE_NAME, { connection: redisOptions(this.o.queue, { retryStrategy: (n: number) => Math.min(250 * n, 2000) }) as ConnectionOptions, prefix: BULL_PREFIX });
    this.queue.on('error', () => {}); // the link watcher reports it
    this.unwatch = watchLink(this.redis, this.o.queue, (s) => this.linkChanged(s));
    const me = { pid: process.pid, pidToken: processToken() };
    for (const r of activeFleetRuns(this.store)) {
      const mine = r.pid === process.pid && r.pidToken === me.pidToken;
      const orphan = r.pid === null || !isProcessAlive(r.pid, r.pidToken);
      if (mine || (this.o.adopt && orphan && takeFleetRun(this.store, r.id, { pid: r.pid, pidToken: r.pidToken }, me))) this.follow(r.id, r.fleetJob);
    }
    void this.readLoop();
    this.timer = setInterval(() => void this.reconcile(), RECONCILE_MS);
    void this.reconcile();
  }

  get running(): number[] {
    return [...this.followed.keys()];
  }

  protected waiting(): number {
    return 0;
  }

  protected accepted(): void {
    // submit and resume are this class's own: the run is handed to the fleet in the same transaction that queues it.
  }

  protected signal(): void {
    // pause and cancel are this class's own.
  }

  override submit(r: NewRunRequest): RunRow {
    const run = this.store.write(() => {
      const row = createRun(this.store, r);
      this.assign(row.id);
      return row;
    });
    this.emitStatus(run.id);
    return getRunSummary(this.store, run.id);
  }

  /** Runs recorded as queued (a sweep's points, recorded together) go to the fleet. */
  override enqueue(runIds: readonly number[]): void {
    for (const id of runIds) {
      const row = getRunRow(this.store, id);
      if (row.status !== 'queued' || (row.fleet_job && this.followed.has(id))) continue;
      this.store.write(() => this.assign(id));
      this.emitStatus(id);
    }
  }

  override resume(runId: number): RunRow {
    const row = getRunRow(this.store, runId);
    if (row.fleet_job && (row.status === 'queued' || row.status === 'running')) return getRunSummary(this.store, runId);
    this.store.write(() => {
      queueResume(this.store, runId);
      this.assign(runId);
    });
    this.emitStatus(runId);
    return getRunSummary(this.store, runId);
  }

  private assign(runId: number): void {
    const row = getRunRow(this.store, runId);
    const jobId = jobIdFor(this.id, runId, row.queued_at ?? row.created_at);
    assignToFleet(this.store, runId, { jobId, pid: process.pid, pidToken: processToken() });
    this.follow(runId, jobId);
  }

  private follow(runId: number, jobId: string): void {
    const artifacts = listArtifacts(this.store, runId, 'checkpoint');
    const streamId = artifacts.find((a) => typeof a.meta.streamId === 'string' && a.meta.jobId === jobId)?.meta.streamId as string | undefined;
    this.followed.set(runId, { runId, run: runKey(this.id, runId), jobId, lastId: streamId ?? '0', rec: null, attempt: null, worker: null, enqueued: false, relayed: null });
    this.wake?.();
    void this.reconcile();
  }

  override pause(runId: number): RunRow {
    return this.ask(runId, 'pause') ?? super.pause(runId);
  }

  override cancel(runId: number): RunRow {
    return this.ask(runId, 'cancel') ?? super.cancel(runId);
  }

  /** A fleet run's pause or cancel: recorded, passed to its worker, and served here if no worker holds it. Null for other runs. */
  private ask(runId: number, request: 'pause' | 'cancel'): RunRow | null {
    const row = getRunRow(this.store, runId);
    const f = this.followed.get(runId);
    if (!row.fleet_job || !f || (row.status !== 'queued' && row.status !== 'running')) return null;
    requestRun(this.store, runId, request);
    void this.relay(f, request);
    return getRunSummary(this.store, runId);
  }

  private async relay(f: Followed, request: 'pause' | 'cancel'): Promise<void> {
    if (f.relayed === request) return;
    f.relayed = request;
    await this.redis.set(keys.request(f.run), request, 'EX', 7 * 24 * 3600);
    await this.redis.publish(keys.requests, f.run);
    const job = await this.queue!.getJob(f.jobId);
    if (!job) {
      if (!f.enqueued) this.finish(f, request === 'pause' ? 'paused' : 'cancelled', null);
      return;
    }
    const state = await job.getState();
    if (state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') {
      try {
        await job.remove();
      } catch {
        return; // a worker took it meanwhile: it reads the request before it starts
      }
      this.finish(f, request === 'pause' ? 'paused' : 'cancelled', null);
    }
  }

  async shutdown(): Promise<void> {
    // Runs on the fleet go on without this process; its successor (the next start) takes them up again.
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.unwatch?.();
    this.wake?.();
    for (const f of this.followed.values()) {
      try {
        f.rec?.flush();
      } catch {
        // recomputed from the stream when the run is taken up again
      }
      f.rec?.close();
    }
    this.followed.clear();
    await this.queue?.close().catch(() => {});
    this.reader?.disconnect();
    this.redis.disconnect();
  }

  /** Every worker seen in the last hour. */
  workers(): Promise<ListedWorker[]> {
    return listWorkerBeats(this.redis);
  }

  private linkChanged(s: LinkState): void {
    this.link = s;
    for (const f of this.linkListeners) f(s);
    const message = s.up
      ? `the queue's Redis at ${this.o.queue.display} is back; catching up with the run`
      : `${s.error.message}. The run goes on on its worker; its progress arrives when Redis is back`;
    for (const f of this.followed.values()) this.emit({ type: 'train', runId: f.runId, event: { type: 'log', level: s.up ? 'info' : 'warn', message } });
    if (s.up) void this.reconcile();
  }

  // ---- queueing ---------------------------------------------------------------------------

  /** Put the run's job on the queue (its data set offered, the checkpoint to continue from in place), unless it is there. */
  private async putOnQueue(f: Followed): Promise<void> {
    const existing = await this.queue!.getJob(f.jobId);
    if (existing) {
      f.enqueued = true;
      return;
    }
    const row = getRunRow(this.store, f.runId);
    if (row.status !== 'queued' || row.fleet_job !== f.jobId) return;
    try {
      const point = resumePoint(this.store, f.runId);
      const pkg = await this.dataset(point.options.dataset);
      await offerDataset(this.redis, pkg);
      await this.clearRun(f.run);
      if (point.loaded) {
        const blob = await putBlob(this.redis, keys.blob(f.run, `resume-${randomBytes(4).toString('hex')}`), readFileSync(point.loaded.artifact.path));
        await this.redis.set(keys.checkpoint(f.run), JSON.stringify({ blob, mark: point.mark }));
      }
      const data: JobData = {
        protocol: FLEET_PROTOCOL, storeId: this.id, runId: f.runId, options: point.options, dataset: pkg.ref,
        ...(this.o.checkpointEveryMs ? { checkpointEveryMs: this.o.checkpointEveryMs } : {}),
      };
      await this.queue!.add('run', data, {
        jobId: f.jobId, attempts: this.o.attempts, backoff: { type: 'exponential', delay: this.o.retryMs },
        removeOnComplete: { age: 3600 }, removeOnFail: { age: 7 * 24 * 3600 },
      });
      f.enqueued = true;
    } catch (e) {
      if (!(e instanceof EffconvError)) throw e;
      // It cannot run as asked (its data set is missing or too large for the queue…): it fails, saying why.
      this.finish(f, 'failed', serializeError(e));
    }
  }

  /** What a run leaves in Redis, gone: its stream, pointer, request, blobs. */
  private async clearRun(run: string): Promise<void> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', keys.runPattern(run), 'COUNT', 500);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    if (found.length) await this.redis.del(...found);
  }

  /** Enqueue what is not on the queue yet, end runs whose job failed for good, pass on requests made through the database. */
  private async reconcile(): Promise<void> {
    if (this.reconciling || this.closed || !this.queue || this.redis.status !== 'ready') return;
    this.reconciling = true;
    try {
      for (const f of [...this.followed.values()]) {
        if (this.closed) return;
        if (!f.enqueued) {
          await this.putOnQueue(f);
          continue;
        }
        const request = readRequest(this.store, f.runId);
        if (request && f.relayed !== request) await this.relay(f, request);
        const job = await this.queue.getJob(f.jobId);
        const state = job ? await job.getState() : 'missing';
        if (state !== 'failed' && state !== 'completed' && state !== 'missing') continue;
        // Let the stream be read to its end first: the worker's own report is the better one.
        const rest = await this.redis.xrange(keys.events(f.run), `(${f.lastId === '0' ? '0-0' : f.lastId}`, '+', 'COUNT', 1);
        if (rest.length || !this.followed.has(f.runId)) continue;
        if (state === 'failed') this.finish(f, 'failed', failedReason(job!.failedReason));
        else this.finish(f, 'failed', { code: 'INTERNAL', message: `the fleet's job ${f.jobId} ${state === 'missing' ? 'is gone from the queue' : 'ended'} without the run's result`, detail: '' });
      }
    } catch {
      // Redis went away mid-way: the link watcher says so; the next round continues.
    } finally {
      this.reconciling = false;
    }
  }

  // ---- following --------------------------------------------------------------------------

  private async readLoop(): Promise<void> {
    while (!this.closed) {
      const list = [...this.followed.values()].filter((f) => f.enqueued);
      if (list.length === 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 250);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
        continue;
      }
      let res: [string, [string, string[]][]][] | null;
      try {
        res = (await this.reader!.xread('COUNT', 500, 'BLOCK', 250, 'STREAMS', ...list.map((f) => keys.events(f.run)), ...list.map((f) => f.lastId))) as typeof res;
      } catch {
        if (this.closed) return;
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      for (const [stream, entries] of res ?? []) {
        const f = list.find((x) => keys.events(x.run) === stream);
        for (const [id, fields] of entries) {
          if (!f || this.closed || this.followed.get(f.runId) !== f) break;
          try {
            await this.apply(f, id, fields[1]);
            const ms = Date.now() - Number(id.split('-')[0]);
            this.lag.messages += 1;
            this.lag.totalMs += ms;
            this.lag.maxMs = Math.max(this.lag.maxMs, ms);
            if (this.lag.recentMs.push(ms) > 10_000) this.lag.recentMs.shift();
          } catch (e) {
            this.emit({ type: 'train', runId: f.runId, event: { type: 'log', level: 'warn', message: `could not record a report from the worker: ${(e as Error).message}` } });
            if (!(e instanceof EffconvError)) {
              if (this.redis.status !== 'ready') break; // read it again when Redis is back
            }
          }
          f.lastId = id;
        }
      }
    }
  }

  private recording(f: Followed): RunRecording {
    f.rec ??= new RunRecording(this.store, f.runId, resumePoint(this.store, f.runId).mark, { onEvent: (event) => this.emit({ type: 'train', runId: f.runId, event }) });
    return f.rec;
  }

  private log(f: Followed, message: string, level: 'info' | 'warn' = 'info'): void {
    this.emit({ type: 'train', runId: f.runId, event: { type: 'log', level, message } });
  }

  /** One message of the run's stream, recorded as a local run records the same thing. */
  private async apply(f: Followed, id: string, raw: string): Promise<void> {
    const m: Message = decodeMessage(raw);
    if (m.t === 'attempt') {
      const before = getRunRow(this.store, f.runId).status;
      f.attempt = m.attempt;
      f.worker = m.worker;
      fleetRunStarted(this.store, f.runId, { worker: m.worker.name, host: m.worker.host });
      if (before !== 'running') this.emitStatus(f.runId);
      this.log(f, `on worker ${m.worker.name} (${m.worker.host}), attempt ${m.attemptNo}`);
      return;
    }
    // Anything an earlier attempt wrote before it was fenced out is history.
    if (f.attempt !== null && m.attempt !== f.attempt) return;
    const worker = f.worker?.name ?? 'a worker';
    switch (m.t) {
      case 'resume':
        if (f.rec) f.rec.restartFrom(m.mark);
        else f.rec = new RunRecording(this.store, f.runId, m.mark, { onEvent: (event) => this.emit({ type: 'train', runId: f.runId, event }) });
        if (m.checkpoint) this.log(f, `continuing from the checkpoint at stage ${m.mark.stage}, step ${m.mark.steps}`);
        return;
      case 'started':
        this.recording(f).started(m.info as never);
        return;
      case 'events': {
        const events: TrainEvent[] = eventsOf(m);
        if (!f.rec && events.every((e) => e.type === 'log')) for (const event of events) this.emit({ type: 'train', runId: f.runId, event });
        else for (const e of events) this.recording(f).event(e);
        return;
      }
      case 'checkpoint': {
        let bytes: Buffer;
        try {
          bytes = await readBlob(this.redis, m.blob, `run ${f.runId}'s checkpoint from worker ${worker}`);
        } catch (e) {
          if (!(e instanceof EffconvError)) throw e;
          this.log(f, `${e.message}; it is not recorded`, 'warn');
          return;
        }
        this.recording(f).checkpointBytes(bytes, m.kernelMaps as never, { worker, jobId: f.jobId, streamId: id });
        // Everything up to this checkpoint is in the store for good: the stream and the blob may go
        // (if Redis is gone right now, they go with the next checkpoint or the run's end).
        try {
          await this.redis.xtrim(keys.events(f.run), 'MINID', id);
          if ((await readPointer(this.redis, f.run))?.blob.key !== m.blob.key) await deleteBlob(this.redis, m.blob);
        } catch {
          // recorded already: never apply it twice
        }
        return;
      }
      case 'failed':
        if (m.final) this.finish(f, 'failed', errorOf(m));
        else this.log(f, `attempt on worker ${worker} failed: ${m.error.message}; retrying${m.retryInMs ? ` in ${Math.round(m.retryInMs / 1000)} s` : ''}`, 'warn');
        return;
      case 'end': {
        if (m.status !== 'completed') return this.finish(f, m.status, null);
        const result = m.result as unknown as RunResult;
        try {
          const w = result.config.weights;
          if (w) {
            if (!m.weights) throw new EffconvError('CHECKSUM_MISMATCH', `worker ${worker} sent no weights though the config records them`, 'weights');
            const bytes = await readBlob(this.redis, m.weights, `run ${f.runId}'s weights from worker ${worker}`);
            if (sha256Hex(bytes) !== w.sha256) {
              throw new EffconvError('CHECKSUM_MISMATCH', `run ${f.runId}'s weights from worker ${worker} have sha256 ${sha256Hex(bytes).slice(0, 12)}…, not the ${w.sha256.slice(0, 12)}… its config records; refused`, 'weights');
            }
            this.recording(f).placeWeights(w.file, bytes);
          }
          this.recording(f).complete(result);
        } catch (e) {
          if (!(e instanceof EffconvError)) throw e;
          return this.finish(f, 'failed', serializeError(e));
        }
        return this.finish(f, 'completed', null);
      }
    }
  }

  /** The run ended (or cannot run): its status recorded, its keys in Redis gone, no longer followed. */
  private finish(f: Followed, status: 'completed' | 'paused' | 'cancelled' | 'failed', error: SerializedError | null): void {
    if (this.followed.get(f.runId) !== f) return;
    this.followed.delete(f.runId);
    try {
      if (status !== 'completed') {
        if (f.rec) f.rec.stopped(status, error);
        else if (['queued', 'running'].includes(getRunRow(this.store, f.runId).status)) endRun(this.store, f.runId, status, error);
      }
    } finally {
      f.rec?.close();
    }
    this.emitStatus(f.runId, error);
    void this.clearRun(f.run).catch(() => {});
    void this.queue?.getJob(f.jobId).then((j) => j && j.getState().then((s) => (s === 'completed' || s === 'failed' ? undefined : j.remove()))).catch(() => {});
    this.settled();
  }
}

/** A job's failedReason as the error to record: ours are serialized EffconvErrors; BullMQ's own (stalled too often) are said as they are. */
function failedReason(reason: string | undefined): SerializedError {
  try {
    const e = JSON.parse(reason ?? '') as SerializedError;
    if (typeof e?.code === 'string' && typeof e.message === 'string') return { code: e.code, message: e.message, detail: e.detail ?? '' };
  } catch {
    // not one of ours
  }
  return { code: 'RUN_INTERRUPTED', message: `the fleet gave up on the run: ${reason ?? 'no reason given'}; resume it to continue from its last checkpoint`, detail: reason ?? '' };
}


// `effconv worker`: a BullMQ worker on the fleet's queue. For each job it takes, it becomes the
// run's current attempt, makes sure it has the data set (fetched from the queue once,
// verified), fetches the checkpoint to continue from, and executes the run in a sandboxed
// child process (one per job, nothing but the engine in it), sending what the child reports
// to the coordinator on the run's stream. BullMQ holds the job: a worker that dies or is cut
// off loses its lock, and another worker continues the run from its last checkpoint.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError, WaitingError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { EffconvError, serializeError, type ErrorCode, type SerializedError } from '../../../contract/errors';
import type { TrainEvent } from '../../../contract/events';
import type { BackendChoice } from '../../../contract/run';
import { isProcessAlive } from '../../../common/process-liveness';
import { checkpointPosition } from '../../run/checkpoints';
import type { RunResult } from '../../run/pipeline';
import type { RunStartInfo } from '../../run/resumable-stages';
import { startMark } from '../../run/run-recording';
import { metricsMark } from '../../run/run-state';
import { DEFAULT_CHECKPOINT_EVERY_MS } from '../../run/execute-stored-run';
import { AttemptChannel, isFenced, readPointer } from './attempt-channel';
import { putBlob, readBlobToFile } from './blobs';
import { connectQueue, queueError } from './connection';
import { ensureDataset } from './fleet-datasets';
import type { FromJob, JobSpec, ToJob } from './job-protocol';
import { BULL_PREFIX, keys, QUEUE_NAME, runKey } from './keys';
import { FLEET_PROTOCOL, parseJobData, type JobData, type WorkerIdentity } from './protocol';
import { redisOptions, type QueueTarget } from './queue-url';
import { beat, HEARTBEAT_MS, leave, type WorkerBeat } from './registry';

/** Errors another attempt would only repeat: the run fails at once instead of retrying. */
const FINAL_CODES: readonly ErrorCode[] = [
  'INVALID_ARGUMENT', 'BACKBONE_INVALID', 'BUDGET_INVALID', 'BUDGET_UNREACHABLE', 'CONFIG_INVALID', 'PROTOCOL_MISMATCH', 'CHECKSUM_MISMATCH',
  'DATASET_NOT_FOUND', 'DATASET_MALFORMED', 'RUN_STATE', 'WEIGHTS_INVALID',
];

/** How long a cancelled job's process gets to stop at a step boundary before it is killed. */
const CANCEL_GRACE_MS = 30_000;

export interface FleetWorkerOptions {
  queue: QueueTarget;
  name: string;
  /** Used for jobs whose run asks for 'auto'. */
  backend?: BackendChoice;
  concurrency: number;
  /** The built job entry (out/main/fleet-job.js). */
  jobScript: string;
  /** Where each job's scratch folder goes (checkpoints and weights on their way out). */
  scratchRoot: string;
  /** BullMQ's lock on a job: a dead worker's job is handed on after about this long. */
  lockMs: number;
  version: string;
  /** What this worker computes on, for the Workers list (the job's own run records its device). */
  device: { backend: string; device: string };
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

interface Active {
  job: Job;
  run: string;
  data: JobData;
  child: ChildProcess | null;
  /** A request that arrived before the child started. */
  request: ToJob['type'] | null;
  /** The worker is stopping: a pause here hands the run back to the queue, not to the user. */
  handOff: boolean;
  /** BullMQ's lock on the job lapsed: another attempt continues the run; this one only stops. */
  lost: boolean;
  since: string;
  kill(): void;
}

/** A failure as BullMQ records it (failedReason): the serialized EffconvError, so the coordinator can name it. */
export function failureReason(e: SerializedError): string {
  return JSON.stringify(e);
}

export class FleetWorker {
  readonly id: string;
  private redis!: Redis;
  private sub!: Redis;
  private worker: Worker | null = null;
  private readonly active = new Map<string, Active>();
  private heartbeat: NodeJS.Timeout | null = null;
  private requestPoll: NodeJS.Timeout | null = null;
  private closing = false;
  /** This process's own scratch folder (a killed worker's is deleted by the next one to start). */
  private scratch = '';
  private readonly identity: WorkerIdentity;
  private readonly log: (line: string) => void;

  constructor(private readonly o: FleetWorkerOptions) {
    this.id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.identity = { id: this.id, name: o.name, host: hostname() };
    this.log = o.log ?? (() => {});
  }

  /** Connect (a wrong URL or password fails here, by name) and start taking jobs. */
  async start(): Promise<void> {
    this.redis = await connectQueue(this.o.queue, `effconv-worker:${this.o.name}`);
    this.redis.on('error', () => {}); // reconnects by itself; BullMQ reports the loss
    this.sub = this.redis.duplicate();
    this.sub.on('error', () => {});
    await this.sub.subscribe(keys.requests);
    this.sub.on('message', (_channel, run: string) => void this.checkRequest(run));
    this.scratch = prepareScratch(this.o.scratchRoot);
    const stalledInterval = Math.max(1000, Math.round(this.o.lockMs / 2));
    this.worker = new Worker(QUEUE_NAME, (job: Job, token?: string) => this.process(job, token), {
      connection: redisOptions(this.o.queue, { retryStrategy: (times: number) => Math.min(250 * times, 2000) }) as ConnectionOptions,
      prefix: BULL_PREFIX,
      concurrency: this.o.concurrency,
      lockDuration: this.o.lockMs,
      stalledInterval,
      // Machines die and networks drop: a run may be handed on several times before it fails for it.
      maxStalledCount: 5,
      name: this.o.name,
    });
    this.worker.on('error', (e) => this.log(`queue: ${queueError(e, this.o.queue).message}`));
    this.worker.on('lockRenewalFailed', (ids: string[]) => {
      for (const a of this.active.values()) {
        if (ids.includes(String(a.job.id))) {
          this.log(`run ${a.data.runId}: lost the hold on its job (the queue was unreachable too long); another worker continues it from its last checkpoint`);
          a.lost = true;
          a.kill();
        }
      }
    });
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat().catch(() => {}), HEARTBEAT_MS);
    // Requests also arrive by pub/sub; this catches any sent while the subscription was reconnecting.
    this.requestPoll = setInterval(() => {
      for (const run of this.active.keys()) void this.checkRequest(run);
    }, 1000);
  }

  get running(): number {
    return this.active.size;
  }

  private beat(): Promise<void> {
    const w: WorkerBeat = {
      id: this.id, name: this.o.name, host: this.identity.host, pid: process.pid, version: this.o.version, protocol: FLEET_PROTOCOL,
      backend: this.o.device.backend, device: this.o.device.device, concurrency: this.o.concurrency, startedAt: this.startedAt,
      jobs: [...this.active.values()].map((a) => ({ storeId: a.data.storeId, runId: a.data.runId, jobId: String(a.job.id), since: a.since })),
    };
    return beat(this.redis, w);
  }

  private readonly startedAt = new Date().toISOString();

  private async checkRequest(run: string): Promise<void> {
    const a = this.active.get(run);
    if (!a) return;
    const r = await this.redis.get(keys.request(run)).catch(() => null);
    if (r === 'pause' || r === 'cancel') this.signal(a, r);
  }

  private signal(a: Active, request: ToJob['type']): void {
    if (a.request === request && a.child) return;
    a.request = request;
    if (!a.child || a.child.exitCode !== null) return;
    a.child.send({ type: request } satisfies ToJob);
    if (request === 'cancel') setTimeout(() => a.kill(), CANCEL_GRACE_MS).unref();
  }

  /**
   * Stop taking jobs. Running ones checkpoint and go back to the queue for another worker
   * (handOff), or, without it, are killed and handed on by BullMQ once their lock lapses.
   */
  async close(o: { handOff?: boolean } = { handOff: true }): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const a of this.active.values()) {
      if (o.handOff) {
        a.handOff = true;
        this.signal(a, 'pause');
      } else a.kill();
    }
    await this.worker?.close(!o.handOff);
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.requestPoll) clearInterval(this.requestPoll);
    await leave(this.redis, this.id).catch(() => {});
    rmSync(this.scratch, { recursive: true, force: true });
    this.sub.disconnect();
    this.redis.disconnect();
  }

  private async process(job: Job, token?: string): Promise<{ status: string }> {
    let data: JobData;
    try {
      data = parseJobData(job.data, String(job.id));
    } catch (e) {
      this.log(`job ${job.id} refused: ${(e as Error).message}`);
      throw new UnrecoverableError(failureReason(serializeError(e)));
    }
    const run = runKey(data.storeId, data.runId);
    const attempt = `${this.id}/${job.id}/${job.attemptsStarted}/${randomBytes(4).toString('hex')}`;
    const channel = await AttemptChannel.begin(this.redis, run, { t: 'attempt', attempt, worker: this.identity, jobId: String(job.id), attemptNo: job.attemptsMade + 1 });
    let child: ChildProcess | null = null;
    const a: Active = {
      job, run, data, child: null, request: null, handOff: this.closing, lost: false, since: new Date().toISOString(),
      kill: () => {
        if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
    this.active.set(run, a);
    void this.beat().catch(() => {});
    const scratch = mkdtempSync(join(this.scratch, `${run}-`));
    const say = (message: string, level: 'info' | 'warn' = 'info') => channel.post({ t: 'events', attempt, events: [{ type: 'log', level, message }] });
    this.log(`run ${data.runId} of ${data.storeId}: attempt ${job.attemptsMade + 1} (job ${job.id})`);
    try {
      const asked = await this.redis.get(keys.request(run));
      if (asked === 'pause' || asked === 'cancel') {
        await channel.post({ t: 'end', attempt, status: asked === 'pause' ? 'paused' : 'cancelled', result: null, weights: null });
        return { status: asked };
      }
      const datasetName = await ensureDataset(this.redis, data.dataset, (m) => void say(m).catch(() => {}));
      const pointer = await readPointer(this.redis, run);
      let resumeFrom: string | null = null;
      if (pointer) {
        resumeFrom = join(scratch, 'resume.ckpt');
        await readBlobToFile(this.redis, pointer.blob, resumeFrom, `run ${data.runId}'s checkpoint`);
      }
      await channel.post({ t: 'resume', attempt, mark: pointer?.mark ?? startMark(data.options), checkpoint: pointer?.blob.sha256 ?? null });
      const backend = data.options.backend === 'auto' && this.o.backend ? this.o.backend : data.options.backend;
      const spec: JobSpec = {
        runId: data.runId, options: { ...data.options, dataset: datasetName, backend }, resumeFrom,
        checkpointEveryMs: data.checkpointEveryMs ?? DEFAULT_CHECKPOINT_EVERY_MS, scratchDir: scratch,
      };
      const end = await this.runChild(a, spec, channel, (c) => (child = c));
      if (end.status === 'failed') throw new EffconvError(end.error!.code, end.error!.message, end.error!.detail);
      if (end.status === 'paused' && a.handOff) {
        // This worker is stopping: the run goes back to the queue and continues elsewhere from the checkpoint just made.
        await say(`worker ${this.o.name} is stopping: the run goes back to the queue and continues from its last checkpoint`);
        await job.moveToWait(token);
        throw new WaitingError();
      }
      let weights = null;
      if (end.status === 'completed' && end.weightsPath) {
        const bytes = readFileSync(end.weightsPath);
        weights = await putBlob(this.redis, keys.blob(run, `weights-${randomBytes(4).toString('hex')}`), bytes);
      }
      const result = end.status === 'completed' && end.result ? resultWithCoordinatorNames(end.result, data) : null;
      await channel.post({ t: 'end', attempt, status: end.status, result: result as never, weights });
      this.log(`run ${data.runId} of ${data.storeId}: ${end.status}`);
      return { status: end.status };
    } catch (e) {
      if (e instanceof WaitingError) throw e;
      if (isFenced(e) || a.lost) {
        // Another attempt holds the run now: nothing of this one may be reported.
        this.log(`run ${data.runId}: ${(e as Error).message}`);
        throw e;
      }
      const error = serializeError(e instanceof EffconvError ? e : queueOrBug(e, this.o.queue));
      const final = FINAL_CODES.includes(error.code) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const retryInMs = final ? null : retryDelay(job);
      this.log(`run ${data.runId}: attempt ${job.attemptsMade + 1} failed: ${error.message}${final ? '' : ` (retrying in ${Math.round(retryInMs! / 1000)} s)`}`);
      await channel.post({ t: 'failed', attempt, error, final, retryInMs }).catch(() => {});
      throw FINAL_CODES.includes(error.code) ? new UnrecoverableError(failureReason(error)) : new Error(failureReason(error));
    } finally {
      a.kill();
      this.active.delete(run);
      rmSync(scratch, { recursive: true, force: true });
      void this.beat().catch(() => {});
    }
  }

  /** Fork the job's process and relay what it reports, in order; resolves with its end. */
  private runChild(a: Active, spec: JobSpec, channel: AttemptChannel, started: (c: ChildProcess) => void): Promise<FromJob & { type: 'end' }> {
    const specFile = join(spec.scratchDir, 'job.json');
    writeFileSync(specFile, JSON.stringify(spec));
    const child = fork(this.o.jobScript, ['--job', specFile], { env: this.o.env ?? process.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    a.child = child;
    started(child);
    if (a.request) this.signal(a, a.request);
    const attempt = channel.attempt;
    return new Promise((resolve, reject) => {
      let chain: Promise<void> = Promise.resolve();
      let failed = false;
      let end: (FromJob & { type: 'end' }) | null = null;
      let pending: TrainEvent[] = [];
      let timer: NodeJS.Timeout | null = null;
      const then = (f: () => Promise<void>) => {
        chain = chain.then(() => (failed ? undefined : f())).catch((e) => {
          if (failed) return;
          failed = true;
          a.kill();
          reject(e);
        });
      };
      // Step events go out in batches of up to 100 ms (one stream entry each), the rest at once.
      const flush = () => {
        if (timer) clearTimeout(timer);
        timer = null;
        if (pending.length === 0) return;
        const events = pending;
        pending = [];
        then(() => channel.post({ t: 'events', attempt, events: events as never }));
      };
      child.on('message', (m: FromJob) => {
        if (m.type === 'event') {
          pending.push(m.event);
          if (m.event.type !== 'step' || pending.length >= 200) flush();
          else timer ??= setTimeout(flush, 100);
          return;
        }
        flush();
        if (m.type === 'started') then(() => channel.post({ t: 'started', attempt, info: asCoordinatorNames(m.info, a.data) as never }));
        else if (m.type === 'checkpoint') {
          then(async () => {
            const bytes = readFileSync(m.path);
            const blob = await putBlob(this.redis, keys.blob(a.run, `checkpoint-${randomBytes(4).toString('hex')}`), bytes);
            const mark = metricsMark(checkpointPosition(bytes, m.path));
            await channel.postCheckpoint({ t: 'checkpoint', attempt, blob, kernelMaps: m.kernelMaps }, { blob, mark });
            rmSync(m.path, { force: true });
          });
        } else if (m.type === 'end') end = m;
      });
      child.on('close', (code, signal) => {
        flush();
        then(async () => {
          if (end) resolve(end);
          else if (a.request === 'cancel') resolve({ type: 'end', status: 'cancelled', error: null, result: null, weightsPath: null });
          else reject(new EffconvError('INTERNAL', `the run's process on worker ${this.o.name} ${signal ? `was killed (${signal})` : `exited with code ${code}`} before it finished`, ''));
        });
      });
    });
  }
}

/** The data set as the coordinator names it (this worker may keep it under another name): the same bytes, by sha256. */
function asCoordinatorNames(info: RunStartInfo, data: JobData): RunStartInfo {
  return { ...info, dataset: { ...info.dataset, name: data.dataset.name, spec: data.options.dataset } };
}

function resultWithCoordinatorNames(r: RunResult, data: JobData): RunResult {
  const config = r.config.dataset ? { ...r.config, dataset: { ...r.config.dataset, name: data.dataset.name, source: data.options.dataset } } : r.config;
  return { config, summary: { ...r.summary, dataset: { ...r.summary.dataset, name: data.dataset.name } } };
}

/** A scratch folder for this process under root; folders of worker processes that no longer exist go. */
function prepareScratch(root: string): string {
  mkdirSync(root, { recursive: true });
  for (const name of readdirSync(root)) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !isProcessAlive(pid, null)) rmSync(join(root, name), { recursive: true, force: true });
  }
  return mkdtempSync(join(root, `${process.pid}-`));
}

function queueOrBug(e: unknown, t: QueueTarget): EffconvError | unknown {
  const m = String((e as Error)?.message ?? e);
  return /ECONNREFUSED|ETIMEDOUT|ECONNRESET|Connection is closed|EPIPE|ENOTFOUND/.test(m) ? queueError(e, t) : e;
}

/** BullMQ's exponential backoff for the next retry of this job, for the message that announces it. */
function retryDelay(job: Job): number {
  const b = job.opts.backoff;
  const base = typeof b === 'number' ? b : (b?.delay ?? 0);
  return typeof b === 'object' && b?.type === 'exponential' ? base * 2 ** job.attemptsMade : base;
}

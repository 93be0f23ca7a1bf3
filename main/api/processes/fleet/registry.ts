// Which workers are connected: each worker beats every few seconds (a key that expires, and its
// time in a sorted set); the coordinator lists them with what each is running. A worker whose
// key expired is shown as lost, with when it was last seen, for an hour.
import type { Redis } from 'ioredis';
import { keys } from './keys';

export interface WorkerBeat {
  id: string;
  name: string;
  host: string;
  pid: number;
  version: string;
  protocol: number;
  backend: string;
  device: string;
  concurrency: number;
  startedAt: string;
  /** The runs it executes now. */
  jobs: { storeId: string; runId: number; jobId: string; since: string }[];
}

export const HEARTBEAT_MS = 2000;
/** Without a beat for this long a worker is listed as lost (its jobs are handed on by BullMQ's stalled-job check, not by this). */
export const BEAT_TTL_MS = 5 * HEARTBEAT_MS;
const FORGET_AFTER_MS = 3600_000;

const alive = (id: string) => `${keys.worker(id)}:alive`;

export async function beat(redis: Redis, w: WorkerBeat, now = Date.now()): Promise<void> {
  await redis
    .multi()
    .set(keys.worker(w.id), JSON.stringify({ ...w, lastSeen: new Date(now).toISOString() }), 'PX', FORGET_AFTER_MS)
    .set(alive(w.id), '1', 'PX', BEAT_TTL_MS)
    .zadd(keys.workers, now, w.id)
    .exec();
}

/** A worker leaving says so, so it is not listed as lost. */
export async function leave(redis: Redis, id: string): Promise<void> {
  await redis.multi().del(keys.worker(id), alive(id)).zrem(keys.workers, id).exec();
}

export interface ListedWorker extends WorkerBeat {
  lastSeen: string;
  online: boolean;
}

/** Every worker seen in the last hour, the most recently seen first. */
export async function listWorkerBeats(redis: Redis, now = Date.now()): Promise<ListedWorker[]> {
  await redis.zremrangebyscore(keys.workers, 0, now - FORGET_AFTER_MS);
  const ids = await redis.zrevrange(keys.workers, 0, 999);
  if (ids.length === 0) return [];
  const infos = await redis.mget(...ids.map((id) => keys.worker(id)));
  const alives = await redis.mget(...ids.map(alive));
  const out: ListedWorker[] = [];
  ids.forEach((_id, i) => {
    const raw = infos[i];
    if (!raw) return;
    const w = JSON.parse(raw) as WorkerBeat & { lastSeen: string };
    out.push({ ...w, online: alives[i] !== null, jobs: alives[i] !== null ? w.jobs : [] });
  });
  return out;
}

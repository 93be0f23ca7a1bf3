// Names in the fleet's Redis. BullMQ keeps its queue under `effconv:runs:*`; what EffConv
// Studio adds beside it (each run's event stream, checkpoints and results in transit, data
// sets on offer, worker heartbeats) lives under `effconv:fleet:*`.

/** BullMQ's key prefix and queue name: one queue of runs for every database sharing this Redis. */
export const BULL_PREFIX = 'effconv';
export const QUEUE_NAME = 'runs';

const ROOT = 'effconv:fleet';

/** A run's name on the fleet: its database's id and its id there. */
export const runKey = (storeId: string, runId: number): string => `${storeId}.${runId}`;

/** One job per time a run is queued (queued_at), so a resumed run gets a new job and a re-sent one the same. */
export const jobIdFor = (storeId: string, runId: number, queuedAt: number): string => `${storeId}.${runId}.${queuedAt}`;

export const keys = {
  /** What the run's current attempt has reported, in order (a Redis stream; trimmed at each recorded checkpoint). */
  events: (run: string) => `${ROOT}:run:${run}:events`,
  /** The current attempt's id: only it may write to the stream (a fencing token). */
  attempt: (run: string) => `${ROOT}:run:${run}:attempt`,
  /** The checkpoint a new attempt continues from (JSON: its blob and its metrics mark). */
  checkpoint: (run: string) => `${ROOT}:run:${run}:checkpoint`,
  /** 'pause' or 'cancel', asked by the coordinator. */
  request: (run: string) => `${ROOT}:run:${run}:request`,
  /** A file in transit for this run (a checkpoint, the weights); its chunks are `${blob}:N`. */
  blob: (run: string, name: string) => `${ROOT}:run:${run}:blob:${name}`,
  /** Every key of one run, for SCAN when it ends. */
  runPattern: (run: string) => `${ROOT}:run:${run}:*`,
  /** A data set on offer: its manifest; files under `${data(sha)}:file:N`. */
  data: (sha256: string) => `${ROOT}:data:${sha256}`,
  dataFile: (sha256: string, i: number) => `${ROOT}:data:${sha256}:file:${i}`,
  /** One worker's heartbeat (JSON, expires), and the sorted set of every worker by last beat. */
  worker: (id: string) => `${ROOT}:worker:${id}`,
  workers: `${ROOT}:workers`,
  /** Pub/sub channel telling workers that a run's request key changed. */
  requests: `${ROOT}:requests`,
};

// What travels through the fleet's Redis, as data only: the job a coordinator queues for a run
// (its validated options, its data set by name and sha256), and the messages a worker streams
// back while it executes it. Both sides check everything they read against these schemas; a
// job of another protocol version is refused by name, never half-understood.
import { z } from 'zod';
import { RunOptionsSchema } from '../../../contract/api';
import { EffconvError, type SerializedError } from '../../../contract/errors';
import type { TrainEvent } from '../../../contract/events';
import type { RunOptions } from '../../../contract/run';

/** Bumped whenever a job's or a message's shape changes incompatibly. */
export const FLEET_PROTOCOL = 1;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const BlobRefSchema = z.object({
  key: z.string().min(1).max(300),
  sha256,
  bytes: z.number().int().min(0),
  chunks: z.number().int().min(0),
});
export type BlobRef = z.infer<typeof BlobRefSchema>;

export const DatasetRefSchema = z.object({
  /** The coordinator's name for it (a library entry, or the idx folder's name). */
  name: z.string().min(1).max(64),
  sha256,
  /** Bytes the queue carries when a worker lacks it. */
  bytes: z.number().int().min(0),
});
export type DatasetRef = z.infer<typeof DatasetRefSchema>;

export const MarkSchema = z.object({ stage: z.union([z.literal(1), z.literal(2)]), steps: z.number().int().min(0), epochs: z.number().int().min(0) });

export const JobDataSchema = z.object({
  protocol: z.number().int(),
  storeId: z.string().regex(/^[0-9a-f]{16}$/),
  runId: z.number().int().positive(),
  options: RunOptionsSchema,
  dataset: DatasetRefSchema,
  /** Checkpoint inside an epoch this often (ms); absent: the worker's default. */
  checkpointEveryMs: z.number().int().positive().optional(),
});
export type JobData = z.infer<typeof JobDataSchema> & { options: RunOptions };

function describeIssues(e: z.ZodError): string {
  return e.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(job)'}: ${i.message}`).join('; ');
}

/** A job as a worker reads it: the same protocol, and options that pass the Api's own schema. */
export function parseJobData(data: unknown, jobId: string): JobData {
  const protocol = (data as { protocol?: unknown } | null)?.protocol;
  if (protocol !== FLEET_PROTOCOL) {
    throw new EffconvError(
      'PROTOCOL_MISMATCH',
      `job ${jobId} speaks fleet protocol ${JSON.stringify(protocol)}, this worker speaks ${FLEET_PROTOCOL}: run the same EffConv Studio version on the workbench and on every worker`,
      `protocol ${JSON.stringify(protocol)}`,
    );
  }
  const r = JobDataSchema.safeParse(data);
  if (!r.success) throw new EffconvError('INVALID_ARGUMENT', `job ${jobId} is not a valid run: ${describeIssues(r.error)}`, describeIssues(r.error));
  return r.data as JobData;
}

// ---- worker → coordinator, on the run's stream ----------------------------------------

const WorkerSchema = z.object({ id: z.string().min(1).max(200), name: z.string().min(1).max(200), host: z.string().max(200) });
export type WorkerIdentity = z.infer<typeof WorkerSchema>;

const ErrorSchema = z.object({ code: z.string().max(64), message: z.string().max(20_000), detail: z.string().max(20_000) });

/** Events are the engine's TrainEvents; a coordinator checks their kind and that they are objects, the store checks the values. */
const EventSchema = z.looseObject({ type: z.enum(['step', 'epoch', 'stage', 'log']) });

const KernelMapsSchema = z.object({
  source: z.enum(['search', 'trained', 'none']),
  layers: z.array(z.object({ name: z.string(), size: z.number().int(), values: z.array(z.number()) })),
});

export const MessageSchema = z.discriminatedUnion('t', [
  /** A worker took the run (first time, retry, or after another worker stalled). */
  z.object({ t: z.literal('attempt'), attempt: z.string(), worker: WorkerSchema, jobId: z.string(), attemptNo: z.number().int() }),
  /** It continues from this checkpoint (null: from the start); rows past its mark are recorded again. */
  z.object({ t: z.literal('resume'), attempt: z.string(), mark: MarkSchema, checkpoint: z.string().nullable() }),
  /** The backend and data are ready (RunStartInfo). */
  z.object({ t: z.literal('started'), attempt: z.string(), info: z.looseObject({ backend: z.string(), device: z.string(), layers: z.array(z.string()), dataset: z.looseObject({ name: z.string() }) }) }),
  z.object({ t: z.literal('events'), attempt: z.string(), events: z.array(EventSchema).max(10_000) }),
  /** A checkpoint's file is in `blob`; the current attempt now resumes from it if it stops. */
  z.object({ t: z.literal('checkpoint'), attempt: z.string(), blob: BlobRefSchema, kernelMaps: KernelMapsSchema.optional() }),
  /** The attempt failed; `final`: no attempt follows, the run fails with this error. */
  z.object({ t: z.literal('failed'), attempt: z.string(), error: ErrorSchema, final: z.boolean(), retryInMs: z.number().nullable() }),
  /** The run ended here: completed (with its result and weights), paused or cancelled. */
  z.object({
    t: z.literal('end'), attempt: z.string(), status: z.enum(['completed', 'paused', 'cancelled']),
    result: z.object({ config: z.looseObject({}), summary: z.looseObject({}) }).nullable(),
    weights: BlobRefSchema.nullable(),
  }),
]);
export type Message = z.infer<typeof MessageSchema>;
export type MessageOf<T extends Message['t']> = Extract<Message, { t: T }>;

export function encodeMessage(m: Message): string {
  return JSON.stringify(m);
}

export function decodeMessage(raw: string): Message {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new EffconvError('PROTOCOL_MISMATCH', `a worker sent a message that is not JSON: ${(e as Error).message}`, raw.slice(0, 200));
  }
  const r = MessageSchema.safeParse(v);
  if (!r.success) throw new EffconvError('PROTOCOL_MISMATCH', `a worker sent a message this coordinator does not understand: ${describeIssues(r.error)}`, raw.slice(0, 200));
  return r.data;
}

export const eventsOf = (m: MessageOf<'events'>): TrainEvent[] => m.events as unknown as TrainEvent[];
export const errorOf = (m: MessageOf<'failed'>): SerializedError => m.error as SerializedError;

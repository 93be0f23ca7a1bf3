// A worker's line to the coordinator for one attempt at one run: messages go onto the run's
// stream only while this attempt is the run's current one. A newer attempt (another worker
// took the run over after this one stalled or was cut off) makes every later write fail with
// a FENCED reply, so a worker that comes back from a network cut can never interleave its
// events with its successor's. The check and the write are one Lua script: atomic in Redis.
import type { Redis } from 'ioredis';
import { EffconvError } from '../../../contract/errors';
import { keys } from './keys';
import { encodeMessage, type BlobRef, type Message } from './protocol';
import type { MetricsMark } from '../../../store';

/** Where a new attempt continues: this checkpoint's blob and the metric rows it accounts for. */
export interface CheckpointPointer {
  blob: BlobRef;
  mark: MetricsMark;
}

const POST = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('FENCED another attempt holds this run') end
return redis.call('XADD', KEYS[2], '*', 'm', ARGV[2])`;

const POST_CHECKPOINT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('FENCED another attempt holds this run') end
redis.call('SET', KEYS[3], ARGV[3])
return redis.call('XADD', KEYS[2], '*', 'm', ARGV[2])`;

const BEGIN = `
redis.call('SET', KEYS[1], ARGV[1])
return redis.call('XADD', KEYS[2], '*', 'm', ARGV[2])`;

type Scripted = Redis & {
  effconvPost(attemptKey: string, stream: string, attempt: string, message: string): Promise<string>;
  effconvPostCheckpoint(attemptKey: string, stream: string, pointerKey: string, attempt: string, message: string, pointer: string): Promise<string>;
  effconvBegin(attemptKey: string, stream: string, attempt: string, message: string): Promise<string>;
};

function scripted(redis: Redis): Scripted {
  const r = redis as Scripted;
  if (typeof r.effconvPost !== 'function') {
    redis.defineCommand('effconvPost', { numberOfKeys: 2, lua: POST });
    redis.defineCommand('effconvPostCheckpoint', { numberOfKeys: 3, lua: POST_CHECKPOINT });
    redis.defineCommand('effconvBegin', { numberOfKeys: 2, lua: BEGIN });
  }
  return r;
}

export function isFenced(e: unknown): boolean {
  return e instanceof EffconvError ? e.detail === 'FENCED' : /FENCED/.test(String((e as Error)?.message));
}

export class AttemptChannel {
  private constructor(
    private readonly redis: Scripted,
    readonly run: string,
    readonly attempt: string,
  ) {}

  /** Become the run's current attempt (fencing out any earlier one) and say so on its stream. */
  static async begin(redis: Redis, run: string, message: Extract<Message, { t: 'attempt' }>): Promise<AttemptChannel> {
    const r = scripted(redis);
    await r.effconvBegin(keys.attempt(run), keys.events(run), message.attempt, encodeMessage(message));
    return new AttemptChannel(r, run, message.attempt);
  }

  async post(m: Message): Promise<void> {
    try {
      await this.redis.effconvPost(keys.attempt(this.run), keys.events(this.run), this.attempt, encodeMessage(m));
    } catch (e) {
      throw this.fenced(e);
    }
  }

  /** The checkpoint's message and the pointer a later attempt resumes from, together. */
  async postCheckpoint(m: Extract<Message, { t: 'checkpoint' }>, pointer: CheckpointPointer): Promise<void> {
    try {
      await this.redis.effconvPostCheckpoint(keys.attempt(this.run), keys.events(this.run), keys.checkpoint(this.run), this.attempt, encodeMessage(m), JSON.stringify(pointer));
    } catch (e) {
      throw this.fenced(e);
    }
  }

  private fenced(e: unknown): unknown {
    if (!isFenced(e)) return e;
    return new EffconvError('RUN_STATE', `run ${this.run} was taken over by another attempt (this worker lost its hold on the job); this attempt stops`, 'FENCED');
  }
}

export async function readPointer(redis: Redis, run: string): Promise<CheckpointPointer | null> {
  const raw = await redis.get(keys.checkpoint(run));
  return raw ? (JSON.parse(raw) as CheckpointPointer) : null;
}

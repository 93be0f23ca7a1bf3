// Connections to the fleet's Redis: a first check that names what is wrong (unreachable,
// refused credentials) before anything is queued, and long-lived connections that reconnect
// by themselves when Redis goes away and comes back, reporting each change of state.
import { Redis, type RedisOptions } from 'ioredis';
import { EffconvError } from '../../../contract/errors';
import { redisOptions, scrubSecret, type QueueTarget } from './queue-url';

const AUTH_ERRORS = /WRONGPASS|NOAUTH|NOPERM|invalid password|invalid username-password|AUTH.*(failed|not allowed)|without any password configured|certificate|self[- ]signed|SSL|TLS|handshake|ERR_TLS/i;

/** A Redis or socket error as an EffconvError that says which and what to do, without the password. */
export function queueError(e: unknown, t: QueueTarget): EffconvError {
  if (e instanceof EffconvError) return e;
  const message = scrubSecret(e instanceof Error ? e.message : String(e), t);
  if (AUTH_ERRORS.test(message)) {
    const what = /certificate|SSL|TLS|handshake/i.test(message) ? 'the TLS connection' : t.password ? 'the password' : 'a connection without a password';
    return new EffconvError('QUEUE_AUTH', `the fleet's Redis at ${t.display} refused ${what}: ${message}`, t.display);
  }
  return new EffconvError(
    'QUEUE_UNAVAILABLE',
    `the fleet's Redis at ${t.display} cannot be reached: ${message}. Start it, or check the host and port (an SSH tunnel: ssh -N -L ${t.port}:127.0.0.1:6379 redis-box)`,
    t.display,
  );
}

/** Connect once and ping: resolves with a ready connection that reconnects from now on, or rejects with a named error. */
export async function connectQueue(t: QueueTarget, name: string, o: { timeoutMs?: number; extra?: RedisOptions } = {}): Promise<Redis> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  let lastError: unknown = null;
  const redis = new Redis({
    ...redisOptions(t, { connectTimeout: timeoutMs, ...o.extra }),
    connectionName: name,
    lazyConnect: true,
    // The first connection does not retry: a wrong URL or password is said at once.
    retryStrategy: () => null,
    maxRetriesPerRequest: 1,
  });
  redis.on('error', (e) => (lastError = e));
  try {
    await withTimeout(redis.connect(), timeoutMs, () => new Error(`no answer within ${timeoutMs / 1000} s`));
    await withTimeout(redis.ping(), timeoutMs, () => new Error(`no answer to PING within ${timeoutMs / 1000} s`));
  } catch (e) {
    redis.disconnect();
    // The connection's own error says more than "Connection is closed".
    throw queueError(lastError ?? e, t);
  }
  // From here on, a lost connection is retried (every second or two) until Redis is back.
  redis.options.retryStrategy = (times: number) => Math.min(250 * times, 2000);
  redis.options.maxRetriesPerRequest = null;
  return redis;
}

/** A connection that keeps trying until Redis answers (the app starting while Redis is down); watchLink says how it goes. */
export function openQueueConnection(t: QueueTarget, name: string): Redis {
  const redis = new Redis({ ...redisOptions(t), connectionName: name, retryStrategy: (times: number) => Math.min(250 * times, 2000), maxRetriesPerRequest: null });
  redis.on('error', () => {}); // reported through watchLink
  return redis;
}

function withTimeout<T>(p: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(error()), ms)))]).finally(() => clearTimeout(timer));
}

export type LinkState = { up: true } | { up: false; error: EffconvError };

/** Calls `f` when a connection is lost or cannot be made (with the reason, each time it changes) and when it is back; returns a function that stops it. */
export function watchLink(redis: Redis, t: QueueTarget, f: (s: LinkState) => void): () => void {
  let up = redis.status === 'ready';
  let said = '';
  const down = (e: unknown) => {
    const error = queueError(e, t);
    if (!up && said === error.message) return;
    up = false;
    said = error.message;
    f({ up: false, error });
  };
  const onError = (e: unknown) => down(e);
  const onClose = () => {
    if (up) down(new Error('the connection closed'));
  };
  const onReady = () => {
    if (up) return;
    up = true;
    said = '';
    f({ up: true });
  };
  redis.on('error', onError);
  redis.on('close', onClose);
  redis.on('ready', onReady);
  return () => {
    redis.off('error', onError);
    redis.off('close', onClose);
    redis.off('ready', onReady);
  };
}

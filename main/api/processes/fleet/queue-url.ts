// Where the fleet's Redis is: redis://[user][:password@]host[:port][/db] or rediss:// (TLS).
// The password may come from EFFCONV_QUEUE_PASSWORD instead of the URL (so it stays out of
// `ps`); it never appears in a message: every URL shown is masked.
import { readFileSync } from 'node:fs';
import type { RedisOptions } from 'ioredis';
import { settings } from '../../../common/settings';
import { EffconvError } from '../../../contract/errors';

export interface QueueTarget {
  host: string;
  port: number;
  db: number;
  username: string | undefined;
  password: string | undefined;
  tls: boolean;
  /** The URL as it may be shown: the password replaced by ***. */
  display: string;
}

function invalid(raw: string, why: string): EffconvError {
  return new EffconvError('INVALID_ARGUMENT', `--queue ${maskQueueUrl(raw)}: ${why} (expected redis://[:password@]host[:port][/db] or rediss://…)`, 'queue');
}

/** The URL with any password replaced by ***, for messages and logs (also for unparsable input). */
export function maskQueueUrl(raw: string): string {
  return raw.replace(/^(\w+:\/\/)([^@/]*)@/, (_m, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    return `${scheme}${colon >= 0 ? `${auth.slice(0, colon)}:***` : auth}@`;
  });
}

/** Also removes the password from error messages that might quote it (a server's echo, a URL in a stack). */
export function scrubSecret(text: string, t: Pick<QueueTarget, 'password'>): string {
  const masked = maskQueueUrl(text);
  return t.password ? masked.split(t.password).join('***') : masked;
}

export function parseQueueUrl(raw: string, env = settings().fleet): QueueTarget {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw invalid(raw, 'not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw invalid(raw, `the scheme must be redis: or rediss:, got ${u.protocol}`);
  if (!u.hostname) throw invalid(raw, 'no host');
  const port = u.port ? Number(u.port) : 6379;
  const path = u.pathname.replace(/^\//, '');
  if (path && !/^\d{1,2}$/.test(path)) throw invalid(raw, `the database must be a number (0…15), got "${path}"`);
  const password = u.password ? decodeURIComponent(u.password) : env.password;
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const display = `${u.protocol}//${username ?? ''}${password ? ':***@' : username ? '@' : ''}${u.hostname}${u.port ? `:${u.port}` : ''}${path ? `/${path}` : ''}`;
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port, db: path ? Number(path) : 0, username, password, tls: u.protocol === 'rediss:', display };
}

/** ioredis options for this target (BullMQ gets the same). */
export function redisOptions(t: QueueTarget, extra: RedisOptions = {}): RedisOptions {
  const ca = settings().fleet.caFile;
  return {
    host: t.host,
    port: t.port,
    db: t.db,
    username: t.username,
    password: t.password,
    // TLS checks the server's certificate against the system's authorities, or EFFCONV_QUEUE_CA's.
    tls: t.tls ? { servername: t.host, ...(ca ? { ca: readFileSync(ca) } : {}) } : undefined,
    connectTimeout: 10_000,
    ...extra,
  };
}

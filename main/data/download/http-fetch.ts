// One URL into a file, resumably. Bytes stream into `<dest>.part`; what the server said about
// them (final URL, ETag, Last-Modified, total) goes to `<dest>.part.json` first, so a later
// attempt (a retry after a dropped connection, or the next command after Ctrl-C or a crash) asks
// only for the rest: `Range: bytes=N-` with `If-Range` set to that validator. A 206 is accepted
// only if its Content-Range starts at N; a 200 (the server ignores Range, or the file changed)
// starts the file over. Redirects are followed up to a limit, and a loop is named as one. The
// caller verifies the finished .part and renames it into place.
import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { EffconvError } from '../../contract/errors';

export interface FetchTuning {
  /** No byte for this long (connecting, waiting, or mid-body) fails the attempt. */
  idleTimeoutMs: number;
  maxRedirects: number;
  /** Further attempts after an interrupted transfer (each resumes where the last stopped). */
  retries: number;
  retryDelayMs: number;
}

export const DEFAULT_TUNING: FetchTuning = { idleTimeoutMs: 30_000, maxRedirects: 8, retries: 4, retryDelayMs: 2000 };

export interface FetchProgress {
  /** Bytes in the .part file so far (resumed bytes included). */
  done: number;
  /** The whole file's size, when known. */
  total: number;
  /** Bytes this call has received (for the rate). */
  received: number;
}

export interface FetchResult {
  bytes: number;
  /** Where the bytes came from after redirects. */
  url: string;
  /** Bytes already there when the first request of this call went out. */
  resumedFrom: number;
  /** Requests made (redirect hops not counted). */
  requests: number;
}

interface PartMeta {
  url: string;
  finalUrl: string;
  etag: string | null;
  lastModified: string | null;
  total: number | null;
}

export const partPath = (dest: string): string => `${dest}.part`;
const metaPath = (dest: string): string => `${dest}.part.json`;

/** Network-level failure worth another attempt (the next one resumes). */
class Interrupted extends Error {}

function readMeta(dest: string, url: string): PartMeta | null {
  try {
    const m = JSON.parse(readFileSync(metaPath(dest), 'utf8')) as PartMeta;
    return m.url === url ? m : null;
  } catch {
    return null;
  }
}

const sizeOf = (path: string): number => (existsSync(path) ? statSync(path).size : 0);

export function discardPart(dest: string): void {
  rmSync(partPath(dest), { force: true });
  rmSync(metaPath(dest), { force: true });
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EADDRNOTAVAIL']);

function describeNetworkError(e: NodeJS.ErrnoException, url: string): EffconvError {
  const host = new URL(url).host;
  const why: Record<string, string> = {
    ECONNREFUSED: `${host} refused the connection`,
    ENOTFOUND: `${host} could not be resolved (no network, or no DNS)`,
    EAI_AGAIN: `${host} could not be resolved (DNS did not answer)`,
    EHOSTUNREACH: `${host} is unreachable`,
    ENETUNREACH: 'the network is unreachable',
    ENETDOWN: 'the network is down',
    EADDRNOTAVAIL: 'no network address is available',
  };
  return new EffconvError(
    'NETWORK_UNAVAILABLE',
    `cannot download ${url}: ${why[e.code ?? ''] ?? e.message}. Check the connection (a proxy is not used), or fetch the same file names from another server with --mirror URL`,
    url,
  );
}

function diskError(e: NodeJS.ErrnoException, path: string): EffconvError | null {
  if (e.code === 'ENOSPC' || e.code === 'EDQUOT') return new EffconvError('DISK_FULL', `the disk holding ${path} is full: free some space (or set EFFCONV_HOME to a folder on a bigger disk), then run the same command again to resume`, path);
  return null;
}

/** One GET, following redirects; resolves with the final response (body unread). */
function get(url: string, headers: Record<string, string>, tuning: FetchTuning, signal?: AbortSignal): Promise<{ res: IncomingMessage; url: string }> {
  const seen = new Set<string>();
  const hop = (current: string, left: number): Promise<{ res: IncomingMessage; url: string }> =>
    new Promise((resolve, reject) => {
      const u = new URL(current);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') {
        reject(new EffconvError('DOWNLOAD_FAILED', `cannot download ${current}: only http and https URLs are supported`, current));
        return;
      }
      seen.add(current);
      const req = (u.protocol === 'https:' ? https : http).get(u, { headers, signal }, (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if ([301, 302, 303, 307, 308].includes(status) && location) {
          res.resume();
          const next = new URL(location, current).href;
          if (seen.has(next) || left <= 0) {
            const chain = [...seen, next].join(' → ');
            reject(new EffconvError('DOWNLOAD_REDIRECT_LOOP', `cannot download ${url}: ${seen.has(next) ? 'the server redirects in a loop' : `more than ${tuning.maxRedirects} redirects`} (${chain}). The server is misconfigured: try again later, or another server with --mirror URL`, url));
            return;
          }
          hop(next, left - 1).then(resolve, reject);
          return;
        }
        resolve({ res, url: current });
      });
      req.setTimeout(tuning.idleTimeoutMs, () => req.destroy(new Interrupted(`no answer from ${u.host} for ${tuning.idleTimeoutMs / 1000} s`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e instanceof Interrupted) reject(e);
        else if (e.name === 'AbortError') reject(new EffconvError('CANCELLED', 'download cancelled'));
        else if (NETWORK_CODES.has(e.code ?? '')) reject(describeNetworkError(e, current));
        else reject(new Interrupted(`${u.host}: ${e.message}`));
      });
    });
  return hop(url, tuning.maxRedirects);
}

/** Content-Range of a 206: where it starts and the whole size. */
function parseContentRange(v: string | undefined): { start: number; total: number | null } | null {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(v?.trim() ?? '');
  return m ? { start: Number(m[1]), total: m[3] === '*' ? null : Number(m[3]) } : null;
}

/** One request: append to (or restart) the .part file. Resolves when the body is complete. */
async function attempt(url: string, dest: string, expectedBytes: number | null, tuning: FetchTuning, progress: (p: FetchProgress) => void, received: { n: number }, signal?: AbortSignal): Promise<{ url: string }> {
  const part = partPath(dest);
  let have = sizeOf(part);
  const meta = have > 0 ? readMeta(dest, url) : null;
  if (have > 0 && !meta) {
    rmSync(part); // bytes of unknown origin: start over
    have = 0;
  }
  const headers: Record<string, string> = { 'User-Agent': 'effconv-studio', 'Accept-Encoding': 'identity' };
  if (have > 0) {
    headers.Range = `bytes=${have}-`;
    const validator = meta!.etag ?? meta!.lastModified;
    if (validator) headers['If-Range'] = validator;
  }
  const { res, url: finalUrl } = await get(url, headers, tuning, signal);
  const status = res.statusCode ?? 0;
  if (status === 416 && have > 0) {
    res.resume();
    const total = parseContentRange(res.headers['content-range']?.replace(/^bytes \*\//, 'bytes 0-0/'))?.total ?? null;
    if (total === have || (expectedBytes !== null && have === expectedBytes)) return { url: finalUrl }; // already whole
    discardPart(dest);
    throw new Interrupted('the server refused the resumed range: starting the file over');
  }
  if (status === 404 || status === 410) {
    res.resume();
    throw new EffconvError('DOWNLOAD_NOT_FOUND', `cannot download ${url}: the server has no such file (HTTP ${status}${finalUrl !== url ? ` at ${finalUrl}` : ''}). Check the name, or the --mirror URL (it must hold the same file names)`, url);
  }
  if (status !== 200 && status !== 206) {
    res.resume();
    const retry = status >= 500 || status === 408 || status === 429;
    const message = `cannot download ${url}: HTTP ${status} ${res.statusMessage ?? ''}`.trim();
    if (retry) throw new Interrupted(message);
    throw new EffconvError('DOWNLOAD_FAILED', `${message}. The server refuses the file: try another server with --mirror URL`, url);
  }
  let start = 0;
  let total: number | null = null;
  if (status === 206) {
    const range = parseContentRange(res.headers['content-range']);
    if (!range || range.start !== have) {
      res.destroy();
      discardPart(dest);
      throw new Interrupted(`the server answered the range request with ${res.headers['content-range'] ?? 'no Content-Range'}: starting the file over`);
    }
    start = have;
    total = range.total;
  } else {
    const length = Number(res.headers['content-length']);
    total = Number.isFinite(length) && res.headers['content-length'] !== undefined ? length : null;
  }
  // The validator first, so an interruption from here on can resume.
  const etag = typeof res.headers.etag === 'string' && !res.headers.etag.startsWith('W/') ? res.headers.etag : null;
  const lastModified = res.headers['last-modified'] ?? null;
  writeFileSync(metaPath(dest), JSON.stringify({ url, finalUrl, etag, lastModified, total } satisfies PartMeta));
  const out = createWriteStream(part, { flags: start > 0 ? 'a' : 'w' });
  let done = start;
  const finished = new Promise<void>((resolve, reject) => {
    out.on('error', reject);
    res.on('error', (e) => reject(new Interrupted(`the connection dropped after ${done} bytes (${e.message})`)));
    res.on('aborted', () => reject(new Interrupted(`the connection dropped after ${done} bytes`)));
    res.on('end', () => (res.complete ? resolve() : reject(new Interrupted(`the connection dropped after ${done} bytes`))));
  });
  res.on('data', (chunk: Buffer) => {
    done += chunk.length;
    received.n += chunk.length;
    if (!out.write(chunk)) {
      res.pause();
      out.once('drain', () => res.resume());
    }
    progress({ done, total: total ?? expectedBytes ?? 0, received: received.n });
  });
  try {
    await finished;
  } catch (e) {
    res.destroy();
    out.end();
    await once(out, 'close').catch(() => undefined);
    const disk = diskError(e as NodeJS.ErrnoException, part);
    if (disk) throw disk;
    if (signal?.aborted) throw new EffconvError('CANCELLED', 'download cancelled');
    throw e;
  }
  out.end();
  await once(out, 'close');
  if (total !== null && done !== total) throw new Interrupted(`the connection ended after ${done} of ${total} bytes`);
  return { url: finalUrl };
}

/**
 * Download `url` into `<dest>.part` (resuming what an earlier attempt left there), retrying an
 * interrupted transfer from where it stopped. Leaves the complete .part for the caller to verify.
 */
export async function fetchToFile(
  url: string, dest: string,
  o: { expectedBytes?: number; tuning?: Partial<FetchTuning>; signal?: AbortSignal; onProgress?: (p: FetchProgress) => void } = {},
): Promise<FetchResult> {
  const tuning = { ...DEFAULT_TUNING, ...o.tuning };
  const resumedFrom = readMeta(dest, url) ? sizeOf(partPath(dest)) : 0;
  const received = { n: 0 };
  let last: Error | null = null;
  for (let i = 0; i <= tuning.retries; i++) {
    if (o.signal?.aborted) throw new EffconvError('CANCELLED', 'download cancelled');
    if (i > 0) await new Promise((r) => setTimeout(r, tuning.retryDelayMs * i));
    try {
      const r = await attempt(url, dest, o.expectedBytes ?? null, tuning, o.onProgress ?? (() => {}), received, o.signal);
      return { bytes: sizeOf(partPath(dest)), url: r.url, resumedFrom, requests: i + 1 };
    } catch (e) {
      if (!(e instanceof Interrupted)) {
        const disk = diskError(e as NodeJS.ErrnoException, partPath(dest));
        if (disk) throw disk;
        throw e;
      }
      last = e;
    }
  }
  const have = sizeOf(partPath(dest));
  throw new EffconvError(
    'NETWORK_UNAVAILABLE',
    `cannot download ${url}: ${last?.message ?? 'interrupted'} (${tuning.retries + 1} attempts). ${have > 0 ? `${have} bytes are kept: run the same command again to resume` : 'Check the connection, or try --mirror URL'}`,
    url,
  );
}

// A real HTTP server on 127.0.0.1 (port 0) serving real files from the repository, the way
// static hosts do: ETag, Range → 206 with Content-Range, 404, redirects. Behaviours a download
// must survive are switched on per path: drop the connection mid-body once, ignore Range,
// never answer. Every request is logged with its headers and the body bytes sent.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  path: string;
  range: string | null;
  ifRange: string | null;
  status: number;
  /** Body bytes written for this request. */
  sent: number;
}

export interface FileServer {
  url: string;
  log: LoggedRequest[];
  files: Map<string, Buffer>;
  /** Next GET of this path sends its headers and `bytes` of the body, then ends the connection. */
  dropOnce(path: string, bytes: number): void;
  /** Answer every Range request on this path with the whole file (200). */
  ignoreRange(path: string): void;
  /** Accept connections on this path and never answer. */
  hang(path: string): void;
  /** Send this path's body at about `bytesPerSecond` (a slow link, to watch progress and cancel); 0 lifts it. */
  throttle(path: string, bytesPerSecond: number): void;
  /** 302 from `from` to `to` (absolute paths). */
  redirect(from: string, to: string): void;
  close(): Promise<void>;
}

export async function startFileServer(files: Record<string, Buffer>): Promise<FileServer> {
  const map = new Map(Object.entries(files));
  const drops = new Map<string, number>();
  const ignoring = new Set<string>();
  const hanging = new Set<string>();
  const redirects = new Map<string, string>();
  const throttles = new Map<string, number>();
  const log: LoggedRequest[] = [];
  const etag = (b: Buffer) => `"${createHash('sha1').update(b).digest('hex').slice(0, 16)}"`;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const entry: LoggedRequest = { path, range: req.headers.range ?? null, ifRange: (req.headers['if-range'] as string | undefined) ?? null, status: 0, sent: 0 };
    log.push(entry);
    const done = (status: number) => (entry.status = status);
    if (hanging.has(path)) return; // never answer
    const to = redirects.get(path);
    if (to) {
      done(302);
      res.writeHead(302, { Location: to, 'Content-Length': 0 }).end();
      return;
    }
    const body = map.get(path);
    if (!body) {
      done(404);
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    const tag = etag(body);
    const range = /^bytes=(\d+)-$/.exec(entry.range ?? '');
    const validatorOk = entry.ifRange === null || entry.ifRange === tag;
    let start = 0;
    if (range && validatorOk && !ignoring.has(path)) {
      start = Number(range[1]);
      if (start >= body.length) {
        done(416);
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      done(206);
      res.writeHead(206, { 'Content-Length': body.length - start, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`, ETag: tag, 'Accept-Ranges': 'bytes' });
    } else {
      done(200);
      res.writeHead(200, { 'Content-Length': body.length, ETag: tag, 'Accept-Ranges': 'bytes' });
    }
    const drop = drops.get(path);
    if (drop !== undefined) {
      drops.delete(path);
      const part = body.subarray(start, start + drop);
      entry.sent = part.length;
      // Graceful end after a short body: the client sees every byte sent, then a premature EOF.
      res.write(part, () => res.socket?.end());
      return;
    }
    const rate = throttles.get(path);
    if (rate) {
      // 20 slices a second; stops when the client goes away.
      const slice = Math.max(1, Math.floor(rate / 20));
      let at = start;
      const timer = setInterval(() => {
        if (res.destroyed || at >= body.length) {
          clearInterval(timer);
          if (!res.destroyed) res.end();
          return;
        }
        const part = body.subarray(at, at + slice);
        at += part.length;
        entry.sent += part.length;
        res.write(part);
      }, 50);
      res.on('close', () => clearInterval(timer));
      return;
    }
    entry.sent = body.length - start;
    res.end(body.subarray(start));
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    files: map,
    dropOnce: (path, bytes) => void drops.set(path, bytes),
    ignoreRange: (path) => void ignoring.add(path),
    hang: (path) => void hanging.add(path),
    throttle: (path, bytesPerSecond) => void (bytesPerSecond > 0 ? throttles.set(path, bytesPerSecond) : throttles.delete(path)),
    redirect: (from, to) => void redirects.set(from, to),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

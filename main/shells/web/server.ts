// effconv serve: the renderer build and the API over HTTP (POST /api/call/:method) with a
// Server-Sent Events push channel (GET /api/events), on 127.0.0.1 only, behind a token.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Api } from '../../contract/api';
import type { ErrorCode } from '../../contract/errors';
import type { CallReply } from '../../contract/api-methods';
import { dispatchCall } from '../../api/service/dispatch';
import type { EventHub } from '../../api/service/push-hub';
import { checkOrigin, checkToken, cookieName, presentedToken } from './security';
import { resolveStatic, securityHeaders, sendFile } from './static-files';
import type { Downloads } from './downloads';

export interface WebServerOptions {
  api: Api;
  events: EventHub;
  staticDir: string;
  downloads: Downloads;
  port?: number;
  token?: string;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

/** Every error code's HTTP status (a new code must be given one here). */
const STATUS: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400, BACKBONE_INVALID: 400, BUDGET_INVALID: 400, BUDGET_UNREACHABLE: 400, CONFIG_INVALID: 400, DATASET_MALFORMED: 400, WEIGHTS_INVALID: 400,
  UNAUTHORIZED: 401, FORBIDDEN: 403, PERMISSION_DENIED: 403,
  NOT_FOUND: 404, RUN_NOT_FOUND: 404, EXPERIMENT_NOT_FOUND: 404, SWEEP_NOT_FOUND: 404, DATASET_NOT_FOUND: 404, DOWNLOAD_NOT_FOUND: 404,
  RUN_STATE: 409, RUN_NOT_FINISHED: 409, RUN_INTERRUPTED: 409, DATASET_EXISTS: 409, OUTPUT_EXISTS: 409, CANCELLED: 409, DOWNLOAD_MANUAL: 409,
  DATASET_UNREADABLE: 422,
  NETWORK_UNAVAILABLE: 502, DOWNLOAD_REDIRECT_LOOP: 502, DOWNLOAD_FAILED: 502, CHECKSUM_MISMATCH: 502,
  BACKEND_UNAVAILABLE: 503, DATABASE_UNAVAILABLE: 503, IO_ERROR: 503, QUEUE_UNAVAILABLE: 503, QUEUE_AUTH: 502, PROTOCOL_MISMATCH: 409, OUTPUT_UNWRITABLE: 507, DISK_FULL: 507, INTERNAL: 500,
};

const MAX_BODY = 1 << 20;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...securityHeaders() });
  res.end(JSON.stringify(body));
}

function refuse(res: ServerResponse, status: number, reason: string, html: boolean): void {
  if (html) {
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', ...securityHeaders() });
    res.end(`<!doctype html><meta charset="utf-8"><title>EffConv Studio</title><p>${status === 401 ? 'Open the link with the token that <code>effconv serve</code> printed.' : 'Forbidden.'}</p>`);
  } else {
    sendJson(res, status, { ok: false, error: { code: status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message: reason, detail: '' } } satisfies CallReply);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startWebServer(o: WebServerOptions): Promise<WebServer> {
  const token = o.token ?? randomBytes(24).toString('hex');
  let port = 0;
  const server = createServer((req, res) => {
    void handle(req, res).catch((e) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'INTERNAL', message: String(e), detail: '' } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const isApi = url.pathname.startsWith('/api/');
    const origin = checkOrigin(req, port);
    if (!origin.ok) return refuse(res, origin.status, origin.reason, !isApi);
    const auth = checkToken(presentedToken(req, url, port), token);
    if (!auth.ok) return refuse(res, auth.status, auth.reason, !isApi);

    if (!isApi) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 403, 'method not allowed', true);
      if (url.searchParams.has('token')) {
        // Trade the URL token for an HttpOnly cookie, then drop it from the address bar.
        res.writeHead(302, {
          'Set-Cookie': `${cookieName(port)}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
          Location: url.pathname,
          ...securityHeaders(),
        });
        return void res.end();
      }
      const file = resolveStatic(o.staticDir, url.pathname) ?? resolveStatic(o.staticDir, '/index.html');
      if (!file) return sendJson(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: 'renderer build not found: run `npm run build`', detail: '' } });
      return sendFile(res, file);
    }

    if (url.pathname === '/api/events' && req.method === 'GET') return streamEvents(req, res);
    if (url.pathname.startsWith('/api/download/') && req.method === 'GET') {
      const ok = o.downloads.send(decodeURIComponent(url.pathname.slice('/api/download/'.length)), res);
      if (!ok) sendJson(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: 'no such download (it expires after an hour)', detail: '' } });
      return;
    }
    const m = /^\/api\/call\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m || req.method !== 'POST') return sendJson(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: `no route ${req.method} ${url.pathname}`, detail: '' } });
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return sendJson(res, 415, { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'send application/json', detail: 'content-type' } });
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (e) {
      return sendJson(res, 400, { ok: false, error: { code: 'INVALID_ARGUMENT', message: `malformed JSON body: ${(e as Error).message}`, detail: 'body' } });
    }
    const args = typeof body === 'object' && body !== null && 'args' in body ? (body as { args: unknown }).args : undefined;
    const reply = await dispatchCall(o.api, m[1], args);
    if (reply.ok && (m[1] === 'exportRun' || m[1] === 'exportSweep')) reply.value = o.downloads.publish(reply.value as never);
    sendJson(res, reply.ok ? 200 : (STATUS[reply.error.code as ErrorCode] ?? 500), reply);
  }

  function streamEvents(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', ...securityHeaders() });
    res.write(': connected\n\n');
    const unsubscribe = o.events.subscribe((e) => res.write(`data: ${JSON.stringify(e)}\n\n`));
    const heartbeat = setInterval(() => res.write(': ping\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

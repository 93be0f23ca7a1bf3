// The loopback web server's gatekeeping and transport, over real HTTP. The API behind it is
// a small in-test implementation: these tests are about the shell, not the service.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Api, PushEvent } from '../../../main/contract/api';
import { EffconvError } from '../../../main/contract/errors';
import { PushHub } from '../../../main/api/service/push-hub';
import { Downloads } from '../../../main/shells/web/downloads';
import { startWebServer, type WebServer } from '../../../main/shells/web/server';

const hub = new PushHub();
const calls: unknown[][] = [];
const api = {
  async appInfo() {
    return { version: 'test', mode: 'web', home: '/tmp', platform: 'linux', cpus: 2 };
  },
  async getRun(id: number) {
    calls.push([id]);
    throw new EffconvError('RUN_NOT_FOUND', `run ${id} does not exist`, `run ${id}`);
  },
  async datasetSamples(name: string, perClass: number) {
    calls.push([name, perClass]);
    return { name, classes: [] };
  },
} as unknown as Api;

const staticDir = mkdtempSync(join(tmpdir(), 'effconv-web-'));
mkdirSync(join(staticDir, 'assets'));
writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>EffConv Studio</title>');
writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
let server: WebServer;

before(async () => {
  server = await startWebServer({ api, events: hub, staticDir, downloads: new Downloads() });
});
after(async () => {
  await server.close();
  rmSync(staticDir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function http(path: string, o: { method?: string; headers?: Record<string, string>; body?: string; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: o.host ?? '127.0.0.1', port: server.port, path, method: o.method ?? 'GET', headers: o.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    if (o.body) req.write(o.body);
    req.end();
  });
}

const auth = () => ({ Authorization: `Bearer ${server.token}` });
const call = (method: string, args: unknown, headers: Record<string, string> = auth()) =>
  http(`/api/call/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ args }) });

test('the server listens on 127.0.0.1 only and prints a tokened URL', () => {
  const addr = server.server.address();
  assert.ok(addr && typeof addr === 'object');
  assert.equal(addr.address, '127.0.0.1');
  assert.match(server.url, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[0-9a-f]{48}$`));
});

test('a non-loopback address of this machine cannot reach it', async () => {
  const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
  if (!external) return; // no other interface on this machine: nothing else to reach it through
  await assert.rejects(http('/', { host: external.address }), /ECONNREFUSED/);
});

test('without the token: 401 for the API and the page; with a wrong token: 401', async () => {
  assert.equal((await call('appInfo', [], {})).status, 401);
  assert.equal((await http('/')).status, 401);
  assert.equal((await call('appInfo', [], { Authorization: 'Bearer nope' })).status, 401);
  const ok = await call('appInfo', []);
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.body), { ok: true, value: { version: 'test', mode: 'web', home: '/tmp', platform: 'linux', cpus: 2 } });
});

test('a foreign Origin or Host is refused with 403, even with the token', async () => {
  assert.equal((await call('appInfo', [], { ...auth(), Origin: 'http://evil.example' })).status, 403);
  assert.equal((await call('appInfo', [], { ...auth(), Origin: `http://127.0.0.1:${server.port + 1}` })).status, 403);
  assert.equal((await call('appInfo', [], { ...auth(), Host: `evil.example:${server.port}` })).status, 403); // DNS rebinding
  assert.equal((await call('appInfo', [], { ...auth(), Origin: `http://localhost:${server.port}` })).status, 200);
});

test('a malformed argument gets a typed 400 naming the argument, and the server keeps serving', async () => {
  const r = await call('datasetSamples', ['fashion', 'six']);
  assert.equal(r.status, 400);
  const body = JSON.parse(r.body) as { ok: false; error: { code: string; message: string; detail: string } };
  assert.equal(body.error.code, 'INVALID_ARGUMENT');
  assert.match(body.error.message, /datasetSamples: args\[1\]/);
  assert.equal(calls.length, 0, 'the service was never called with bad arguments');
  assert.equal((await call('nosuchMethod', [])).status, 400);
  assert.equal((await http('/api/call/appInfo', { method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' }, body: '{not json' })).status, 400);
  const notFound = await call('getRun', [7]);
  assert.equal(notFound.status, 404);
  assert.equal(JSON.parse(notFound.body).error.code, 'RUN_NOT_FOUND');
  assert.equal((await call('datasetSamples', ['fashion', { perClass: 3 }])).status, 200);
});

test('the URL token becomes an HttpOnly cookie and the page is served with a CSP', async () => {
  const r = await http(`/?token=${server.token}`);
  assert.equal(r.status, 302);
  assert.equal(r.headers.location, '/');
  const cookie = String(r.headers['set-cookie']);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const page = await http('/', { headers: { Cookie: cookie.split(';')[0] } });
  assert.equal(page.status, 200);
  assert.match(page.body, /EffConv Studio/);
  assert.match(String(page.headers['content-security-policy']), /default-src 'self'; script-src 'self'/);
  const traversal = await http('/..%2f..%2fetc%2fpasswd', { headers: auth() });
  assert.doesNotMatch(traversal.body, /root:/);
});

test('pushed events reach an SSE subscriber', async () => {
  const got = await new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: '/api/events', headers: auth() }, (res) => {
      assert.equal(res.headers['content-type'], 'text/event-stream');
      let buf = '';
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        if (buf.includes('data: ')) {
          req.destroy();
          resolve(buf);
        }
      });
      setTimeout(() => hub.publish({ kind: 'run-status', runId: 3, status: 'running', error: null } satisfies PushEvent), 50);
    });
    req.on('error', (e) => (String(e).includes('socket hang up') ? undefined : reject(e)));
    req.end();
  });
  assert.match(got, /data: \{"kind":"run-status","runId":3,"status":"running","error":null\}/);
});

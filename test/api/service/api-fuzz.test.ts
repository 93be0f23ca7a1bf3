// Every Api method with malformed and adversarial arguments, through the entry both transports
// use (dispatchCall: the IPC handler calls it as it is) and over real HTTP (effconv serve's
// server): each call gets a named error — never `internal error` — and a bad call changes
// nothing (no run, experiment, sweep or dataset appears; no prototype is polluted), and the
// server keeps serving. The service is the real one over an empty home.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { API_ARGS, type ApiMethod } from '../../../main/contract/api';
import type { CallReply } from '../../../main/contract/api-methods';
import { homePaths } from '../../../main/common/paths';
import { RunQueue } from '../../../main/api/processes/run-queue';
import { inProcessTasks } from '../../../main/api/processes/tasks';
import { dispatchCall } from '../../../main/api/service/dispatch';
import { createService, type Service } from '../../../main/api/service/service';
import { Downloads } from '../../../main/shells/web/downloads';
import { cookieName } from '../../../main/shells/web/security';
import { startWebServer, type WebServer } from '../../../main/shells/web/server';
import { useTempLibrary } from '../../helpers/library';

const { home } = useTempLibrary('effconv-fuzz-');
let service: Service;
let server: WebServer;
const staticDir = mkdtempSync(join(tmpdir(), 'effconv-fuzz-web-'));

before(async () => {
  service = createService({
    mode: 'web', version: 'fuzz', paths: homePaths(home),
    // Nothing may execute: a launch is a bug of this test's inputs reaching a run.
    executor: (store) => new RunQueue({ store, launcher: { launch: () => assert.fail('a fuzzed call started a run') } }),
    tasks: inProcessTasks(),
  });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  mkdirSync(join(staticDir, 'assets'));
  server = await startWebServer({ api: service.api, events: service.hub, staticDir, downloads: new Downloads() });
});
after(async () => {
  await server.close();
  await service.close();
  rmSync(staticDir, { recursive: true, force: true });
});

/** A small seeded generator (mulberry32): the same cases every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function deep(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** Values of every JSON type and shape that a careless or hostile caller sends. */
const HOSTILE: unknown[] = [
  null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 31), 1e308, '', ' ', '0', '-1', 'NaN', 'Infinity', '1e309', 'x'.repeat(100_000), '\u0000', 'é𝒳\u202e',
  '../../etc/passwd', '/etc/passwd', '/proc/self/mem', 'C:\\Windows\\system.ini', '%00', '${process.exit()}', '<script>alert(1)</script>', "'; DROP TABLE runs; --",
  [], [1, 2, 3], ['a'], {}, { id: 1 }, JSON.parse('{"__proto__": {"polluted": true}}'), JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'), deep(2000),
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

/** Malformed argument lists for a method: wrong shapes, wrong arity, each argument (and each field of object arguments) replaced. */
function cases(method: ApiMethod, r: () => number): unknown[] {
  const arity = (API_ARGS[method] as unknown as { def: { items: unknown[] } }).def.items.length;
  const out: unknown[] = ['not an array', null, { 0: 1 }, Array.from({ length: arity + 2 }, () => 1)];
  for (let i = 0; i < 24; i++) {
    const args: unknown[] = Array.from({ length: arity }, () => pick(r, HOSTILE));
    out.push(args);
    // Objects with a wrong field among plausible ones.
    out.push(Array.from({ length: arity }, () => ({ [pick(r, ['path', 'name', 'run', 'format', 'options', 'budgets', 'backbones', 'datasets', 'seeds', 'perClass', 'limit', 'sort', 'status', '__proto__'])]: pick(r, HOSTILE) })));
  }
  return out;
}

function http(method: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path: `/api/call/${method}`, method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: `${cookieName(server.port)}=${server.token}` } },
      (res) => {
        let b = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: b }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function nothingRecorded(): Promise<void> {
  assert.equal((await service.api.listRuns({})).total, 0, 'no run was recorded');
  assert.deepEqual(await service.api.listExperiments(), [], 'no experiment was recorded');
  assert.deepEqual(await service.api.listSweeps(), [], 'no sweep was recorded');
  assert.deepEqual(await service.api.listDatasets(), [], 'no dataset was imported');
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched');
}

test('every method, malformed arguments, through dispatchCall (the IPC path): a named error each time, nothing recorded', async () => {
  const r = rng(11);
  let calls = 0;
  for (const method of Object.keys(API_ARGS) as ApiMethod[]) {
    for (const args of cases(method, r)) {
      const reply: CallReply = await dispatchCall(service.api, method, args);
      calls += 1;
      if (reply.ok) continue; // a list of plain values can be a valid call (listRuns({})): the point is no internal error
      assert.notEqual(reply.error.code, 'INTERNAL', `${method}(${JSON.stringify(args).slice(0, 200)}): ${reply.error.message}`);
      assert.ok(reply.error.message.length > 0 && reply.error.message.length < 2000, `${method}: a short message`);
      assert.doesNotMatch(reply.error.message + reply.error.detail, /\n\s+at /, `${method}: no stack trace`);
    }
  }
  assert.ok(calls > 1000, `${calls} calls`);
  // Imports that started as tasks (a path was a valid string) end as named errors, not internal ones.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await nothingRecorded();
});

test('the same over HTTP: a typed 4xx reply each time, never 500, and the server keeps serving', async () => {
  const r = rng(12);
  for (const method of Object.keys(API_ARGS) as ApiMethod[]) {
    for (const args of cases(method, r).slice(0, 12)) {
      const res = await http(method, JSON.stringify({ args }));
      const reply = JSON.parse(res.body) as CallReply;
      if (reply.ok) continue;
      assert.ok(res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 403, `${method}: HTTP ${res.status} ${reply.error.code} ${reply.error.message}`);
    }
  }
  const nested = `{"args": [${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}]}`; // 100,000 levels deep
  for (const body of ['{', '[]', '{"args": 1}', 'null', '"x"', nested]) {
    const res = await http('getRun', body);
    assert.ok(res.status === 400 || res.status === 413, `body ${body.slice(0, 40)}: ${res.status}`);
  }
  const alive = await http('appInfo', '{"args": []}');
  assert.equal(alive.status, 200, `still serving: ${alive.status} ${alive.body.slice(0, 300)}`);
  await nothingRecorded();
});

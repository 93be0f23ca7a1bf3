// What crosses the fleet's Redis, checked without it: queue URLs (parsed, the password never
// shown), jobs (another protocol version or invalid options refused by name) and messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EffconvError } from '../../../../main/contract/errors';
import { DEFAULT_RUN_OPTIONS } from '../../../../main/contract/run';
import { queueError } from '../../../../main/api/processes/fleet/connection';
import { decodeMessage, FLEET_PROTOCOL, parseJobData } from '../../../../main/api/processes/fleet/protocol';
import { maskQueueUrl, parseQueueUrl, scrubSecret } from '../../../../main/api/processes/fleet/queue-url';

const env = { queue: undefined, password: undefined, caFile: undefined, lockMs: 30_000, attempts: 3, retryMs: 10_000, maxDatasetMb: 2048 };

test('queue URLs: host, port, database, TLS and credentials parsed; every URL shown has its password masked', () => {
  const t = parseQueueUrl('rediss://alice:p%40ss@redis.lab:6380/2', env);
  assert.deepEqual({ ...t }, { host: 'redis.lab', port: 6380, db: 2, username: 'alice', password: 'p@ss', tls: true, display: 'rediss://alice:***@redis.lab:6380/2' });
  assert.deepEqual(parseQueueUrl('redis://127.0.0.1', env), { host: '127.0.0.1', port: 6379, db: 0, username: undefined, password: undefined, tls: false, display: 'redis://127.0.0.1' });
  assert.equal(parseQueueUrl('redis://box:7000', { ...env, password: 'from-env' }).password, 'from-env', 'EFFCONV_QUEUE_PASSWORD when the URL has none');
  assert.equal(parseQueueUrl('redis://box:7000', { ...env, password: 'from-env' }).display, 'redis://:***@box:7000');
  assert.equal(maskQueueUrl('redis://:hunter2@box:1/0'), 'redis://:***@box:1/0');
  assert.equal(scrubSecret('ERR AUTH hunter2 called without any password configured', { password: 'hunter2' }), 'ERR AUTH *** called without any password configured');
  for (const [bad, why] of [['http://box', /scheme must be redis: or rediss:/], ['redis://box/x', /database must be a number/], ['not a url', /not a URL/]] as const) {
    assert.throws(() => parseQueueUrl(bad, env), (e: unknown) => e instanceof EffconvError && e.code === 'INVALID_ARGUMENT' && why.test(e.message));
  }
  assert.throws(() => parseQueueUrl('ftp://:s3cret@box', env), (e: unknown) => e instanceof EffconvError && !e.message.includes('s3cret'));
});

test('connection errors are named: refused credentials apart from an unreachable host, without the password', () => {
  const t = parseQueueUrl('redis://:hunter2@box:6379', env);
  const auth = queueError(new Error('WRONGPASS invalid username-password pair or user is disabled.'), t);
  assert.equal(auth.code, 'QUEUE_AUTH');
  assert.match(auth.message, /^the fleet's Redis at redis:\/\/:\*\*\*@box:6379 refused the password: WRONGPASS/);
  const down = queueError(new Error('connect ECONNREFUSED 10.0.0.2:6379'), t);
  assert.equal(down.code, 'QUEUE_UNAVAILABLE');
  assert.match(down.message, /cannot be reached: connect ECONNREFUSED 10\.0\.0\.2:6379\. Start it, or check the host and port \(an SSH tunnel: ssh -N -L 6379:127\.0\.0\.1:6379 redis-box\)/);
  assert.ok(![auth, down].some((e) => e.message.includes('hunter2') || e.detail.includes('hunter2')));
});

const job = { protocol: FLEET_PROTOCOL, storeId: '0123456789abcdef', runId: 4, options: { ...DEFAULT_RUN_OPTIONS, dataset: 'mnist' }, dataset: { name: 'mnist', sha256: 'a'.repeat(64), bytes: 10 } };

test('jobs: the same protocol and options that pass the Api\'s schema, else a named refusal', () => {
  assert.equal(parseJobData(job, 'j1').runId, 4);
  assert.throws(
    () => parseJobData({ ...job, protocol: FLEET_PROTOCOL + 1 }, 'j2'),
    (e: unknown) => e instanceof EffconvError && e.code === 'PROTOCOL_MISMATCH' && e.message === `job j2 speaks fleet protocol ${FLEET_PROTOCOL + 1}, this worker speaks ${FLEET_PROTOCOL}: run the same EffConv Studio version on the workbench and on every worker`,
  );
  assert.throws(() => parseJobData({ ...job, options: { ...job.options, batchSize: 0 } }, 'j3'), (e: unknown) => e instanceof EffconvError && e.code === 'INVALID_ARGUMENT' && /job j3 is not a valid run: options\.batchSize/.test(e.message));
  assert.throws(() => parseJobData({ ...job, options: { ...job.options, backend: 'cuda' } }, 'j4'), /options\.backend/);
  assert.throws(() => parseJobData({ ...job, dataset: { ...job.dataset, sha256: 'xyz' } }, 'j5'), /dataset\.sha256/);
});

test('messages: a worker\'s reports are checked before anything is recorded', () => {
  const m = decodeMessage(JSON.stringify({ t: 'events', attempt: 'a', events: [{ type: 'step', stage: 1, step: 1 }] }));
  assert.equal(m.t, 'events');
  assert.throws(() => decodeMessage('{"t":"events","attempt":"a","events":[{"type":"shell","cmd":"rm -rf /"}]}'), (e: unknown) => e instanceof EffconvError && e.code === 'PROTOCOL_MISMATCH');
  assert.throws(() => decodeMessage('{"t":"exec"}'), /does not understand/);
  assert.throws(() => decodeMessage('not json'), /not JSON/);
});

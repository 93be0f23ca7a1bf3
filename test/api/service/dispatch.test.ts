// The one entry every transport uses (IPC and HTTP): arguments are checked against the
// contract before the service sees them, and errors keep their code across the crossing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Api } from '../../../main/contract/api';
import { EffconvError } from '../../../main/contract/errors';
import { dispatchCall } from '../../../main/api/service/dispatch';

const seen: unknown[] = [];
const api = {
  async getRun(id: number) {
    seen.push(id);
    if (id === 404) throw new EffconvError('RUN_NOT_FOUND', 'run 404 does not exist', '404');
    if (id === 500) throw new Error('disk on fire');
    return { id };
  },
  async startRun(req: unknown) {
    seen.push(req);
    return { runId: 1 };
  },
} as unknown as Api;

test('valid calls reach the service; bad ones get INVALID_ARGUMENT naming the argument', async () => {
  assert.deepEqual(await dispatchCall(api, 'getRun', [7]), { ok: true, value: { id: 7 } });
  for (const [method, args, pattern] of [
    ['getRun', ['7'], /getRun: args\[0\]/],
    ['getRun', [-1], /getRun: args\[0\]/],
    ['getRun', [], /getRun: args/],
    ['getRun', 'nope', /arguments must be an array/],
    ['dropTables', [], /unknown API method/],
    ['startRun', [{ options: { backbone: 'resnet20', dataset: 'x', budget: '0.4M', stages: 'both', searchEpochs: 1, trainEpochs: 1, batchSize: 0, trainBatchSize: 1, seed: 0, backend: 'wasm' } }], /startRun: args\[0\]\.options\.batchSize/],
    ['startRun', [{ options: { backbone: 'resnet20', dataset: 'x', budget: '0.4M', stages: 'both', searchEpochs: 1, trainEpochs: 1, batchSize: 1, trainBatchSize: 1, seed: 0, backend: 'quantum' } }], /startRun: args\[0\]\.options\.backend/],
  ] as const) {
    const r = await dispatchCall(api, method, args);
    assert.equal(r.ok, false, `${method} ${JSON.stringify(args)}`);
    if (!r.ok) {
      assert.equal(r.error.code, 'INVALID_ARGUMENT');
      assert.match(r.error.message, pattern);
    }
  }
  assert.deepEqual(seen, [7], 'the service saw only the valid call');
});

test('service errors keep their code; internal errors do not leak their stack', async () => {
  const nf = await dispatchCall(api, 'getRun', [404]);
  assert.deepEqual(nf, { ok: false, error: { code: 'RUN_NOT_FOUND', message: 'run 404 does not exist', detail: '404' } });
  const internal = await dispatchCall(api, 'getRun', [500]);
  assert.deepEqual(internal, { ok: false, error: { code: 'INTERNAL', message: 'disk on fire', detail: '' } });
});

// The task worker: one process per task (backend probe, dataset import, export), started like
// the run worker. It answers with progress messages and one result or error, then exits.
//   task.js --task JSON
import { parseArgs } from 'node:util';
import { EffconvError, serializeError } from '../../contract/errors';
import { runTaskHere } from '../../api/processes/task-handlers';
import type { FromTask, TaskRequest, ToTask } from '../../api/processes/task-protocol';
import { parentChannel } from './channel';

async function main(): Promise<number> {
  const channel = parentChannel<FromTask, ToTask>();
  const abort = new AbortController();
  channel.onMessage((m) => {
    if (m.type === 'cancel') abort.abort();
  });
  process.on('SIGTERM', () => abort.abort());
  try {
    const { values } = parseArgs({ options: { task: { type: 'string' } }, strict: true });
    if (!values.task) throw new EffconvError('INVALID_ARGUMENT', 'usage: task.js --task JSON', 'argv');
    const request = JSON.parse(values.task) as TaskRequest;
    const value = await runTaskHere(request, { signal: abort.signal, onProgress: (p) => channel.send({ type: 'progress', ...p }) });
    channel.send({ type: 'result', value });
    return 0;
  } catch (e) {
    channel.send({ type: 'error', error: serializeError(e) });
    return 1;
  }
}

// Exit explicitly: a wasm thread pool or a WebGPU device would keep the process alive.
main().then((code) => setImmediate(() => process.exit(code)));

// The run worker: one process per run, started by the run queue (child_process.fork in
// web mode, utilityProcess.fork in Electron). It claims the run in the database, runs it to an
// end there (so nothing is lost if the parent dies), and streams its events to the parent.
//   worker.js --db PATH --run ID [--checkpoint-ms N]
// EFFCONV_SQLITE_BINDING names a better-sqlite3 addon built for this runtime's ABI (Electron).
import { parseArgs } from 'node:util';
import { serializeError } from '../../contract/errors';
import { executeStoredRun } from '../../api/run/execute-stored-run';
import { claimForThisProcess } from '../../api/records/run-records';
import { WORKER_EXIT, type FromWorker, type ToWorker } from '../../api/processes/worker-protocol';
import { settings } from '../../common/settings';
import { openStore } from '../../store';
import { parentChannel } from './channel';

async function main(): Promise<number> {
  const channel = parentChannel();
  let args: { db: string; run: number; checkpointMs?: number };
  try {
    const { values } = parseArgs({ options: { db: { type: 'string' }, run: { type: 'string' }, 'checkpoint-ms': { type: 'string' } }, strict: true });
    if (!values.db || !values.run || !/^\d+$/.test(values.run)) throw new Error('usage: worker.js --db PATH --run ID [--checkpoint-ms N]');
    args = { db: values.db, run: Number(values.run), checkpointMs: values['checkpoint-ms'] ? Number(values['checkpoint-ms']) : undefined };
  } catch (e) {
    process.stderr.write(`effconv worker: ${(e as Error).message}\n`);
    return WORKER_EXIT.badArguments;
  }
  const send = (m: FromWorker) => channel.send(m);
  const store = openStore(args.db, { nativeBinding: settings().sqliteBinding });
  try {
    try {
      claimForThisProcess(store, args.run);
    } catch (e) {
      // Another runner's worker took it first, or it is no longer queued: nothing to do.
      process.stderr.write(`effconv worker: ${(e as Error).message}\n`);
      return WORKER_EXIT.notClaimed;
    }
    send({ type: 'claimed', runId: args.run, pid: process.pid });
    const abort = new AbortController();
    let pause = false;
    channel.onMessage((m: ToWorker) => {
      if (m.type === 'cancel') abort.abort();
      if (m.type === 'pause') pause = true;
    });
    // SIGTERM (a service manager, a parent without IPC) cancels after the current step. Ctrl-C in
    // the parent's terminal reaches this process too: the parent decides (it pauses or cancels
    // through the channel); with no parent left, Ctrl-C cancels.
    process.on('SIGTERM', () => abort.abort());
    process.on('SIGINT', () => {
      if (!channel.connected()) abort.abort();
    });
    const out = await executeStoredRun(store, args.run, {
      signal: abort.signal,
      pauseRequested: () => pause,
      checkpointEveryMs: args.checkpointMs,
      onEvent: (event) => send({ type: 'event', runId: args.run, event }),
    });
    send({ type: 'end', runId: args.run, status: out.status, error: out.error });
    return out.status === 'failed' ? WORKER_EXIT.failed : WORKER_EXIT.done;
  } catch (e) {
    process.stderr.write(`effconv worker: ${JSON.stringify(serializeError(e))}\n`);
    return WORKER_EXIT.failed;
  } finally {
    store.close();
  }
}

// Exit explicitly (a wasm thread pool or WebGPU device would keep the process alive), after the
// last message has left.
main().then(
  (code) => parentChannelFlush().then(() => process.exit(code)),
  (e) => {
    process.stderr.write(`effconv worker: ${String(e)}\n`);
    process.exit(WORKER_EXIT.failed);
  },
);

function parentChannelFlush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

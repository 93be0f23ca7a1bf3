// The sandboxed process of one fleet job, started by `effconv worker` for each run it takes:
// it reads the job (a file the worker wrote), executes the run with the engine, and reports
// over IPC. It holds no connection to Redis or any database. If the worker dies (SIGKILL, a
// crash), this process leaves at once: nothing it computed could reach the coordinator.
//   fleet-job.js --job PATH
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { executeJob } from '../../api/processes/fleet/job-process';
import type { FromJob, JobSpec, ToJob } from '../../api/processes/fleet/job-protocol';

process.on('disconnect', () => process.exit(70));

function send(m: FromJob): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { job: { type: 'string' } }, strict: true });
  if (!values.job) throw new Error('usage: fleet-job.js --job PATH');
  const spec = JSON.parse(readFileSync(values.job, 'utf8')) as JobSpec;
  // SIGTERM (the worker's service manager) and Ctrl-C in its terminal reach the worker, which decides; ignore them here.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});
  const end = await executeJob(spec, {
    send: (m) => void send(m),
    onMessage: (f) => process.on('message', (m) => f(m as ToJob)),
  });
  await send(end);
  return 0;
}

// Exit explicitly: a wasm thread pool or WebGPU device would keep the process alive.
main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`effconv fleet job: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);

// effconv worker --queue URL [--backend B] [--concurrency N] [--name NAME]: take runs from the
// fleet's queue and execute them here, each in a sandboxed process, until Ctrl-C (running runs
// then checkpoint and go back to the queue for another worker; Ctrl-C again quits at once).
import { hostname } from 'node:os';
import { join } from 'node:path';
import { homePaths } from '../../../common/paths';
import { settings } from '../../../common/settings';
import { EffconvError } from '../../../contract/errors';
import type { BackendChoice } from '../../../contract/run';
import { parseBackendName } from '../../../engine/backends/init';
import { FleetWorker } from '../../../api/processes/fleet/fleet-worker';
import { JOB_SCRIPT } from '../../../api/processes/fleet/job-protocol';
import { parseQueueUrl } from '../../../api/processes/fleet/queue-url';
import { builtWorkerPath, nodeWorkerLauncher } from '../../../api/processes/launcher';
import { TASK_SCRIPT, type FromTask, type ToTask } from '../../../api/processes/task-protocol';
import { processTasks } from '../../../api/processes/tasks';
import { intFlag, parse } from '../args';
import { APP_VERSION } from '../cli-service';

export async function workerCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { queue: { type: 'string' }, backend: { type: 'string' }, concurrency: { type: 'string' }, name: { type: 'string' }, quiet: { type: 'boolean' } });
  const url = (values.queue as string | undefined) ?? settings().fleet.queue;
  if (!url) throw new EffconvError('INVALID_ARGUMENT', '--queue redis://[:password@]host:port is required (or EFFCONV_QUEUE; the password may also be in EFFCONV_QUEUE_PASSWORD)', 'queue');
  const queue = parseQueueUrl(url);
  const backend = typeof values.backend === 'string' ? (parseBackendName(values.backend) as BackendChoice) : undefined;
  const concurrency = intFlag(values.concurrency, 'concurrency', 1, 1);
  const name = (values.name as string | undefined) ?? hostname();
  if (!/^[\w.@+-]{1,100}$/.test(name)) throw new EffconvError('INVALID_ARGUMENT', `--name must be 1–100 letters, digits or . _ @ + -, got "${name}"`, 'name');
  const say = (line: string) => values.quiet || process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  // What this machine computes on, found as a run finds it, in a process of its own (the worker itself never loads tfjs).
  const device = await processTasks(nodeWorkerLauncher<ToTask, FromTask>(builtWorkerPath(TASK_SCRIPT)))({ kind: 'backend', name: backend ?? 'auto' });
  const worker = new FleetWorker({
    queue, name, backend, concurrency, version: APP_VERSION,
    jobScript: builtWorkerPath(JOB_SCRIPT),
    scratchRoot: join(homePaths().home, 'fleet-scratch'),
    lockMs: settings().fleet.lockMs,
    device: { backend: device.name, device: device.device },
    log: say,
  });
  await worker.start();
  say(`worker ${name} on ${hostname()} takes runs from ${queue.display}: ${device.name} (${device.device}), ${concurrency} at a time; its library is ${homePaths().datasets}`);
  say('Ctrl-C: running runs checkpoint and go back to the queue (again: quit at once)');
  await new Promise<void>((resolve) => {
    let stops = 0;
    const stop = () => {
      stops += 1;
      if (stops > 1) process.exit(130);
      say(worker.running ? `stopping: ${worker.running} run(s) checkpoint and go back to the queue…` : 'stopping');
      void worker.close({ handOff: true }).then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

// effconv serve: the workbench in a browser. The same renderer build and Api as the desktop
// app, over HTTP on 127.0.0.1 behind a token (for a remote GPU box: ssh -L and open the URL).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { homePaths } from '../../../common/paths';
import { EffconvError } from '../../../contract/errors';
import { builtWorkerPath, nodeWorkerLauncher, RUN_WORKER_NICE } from '../../../api/processes/launcher';
import { RunQueue } from '../../../api/processes/run-queue';
import { coordinatorRuns } from '../../../api/processes/fleet/coordinator';
import { readQueueSetting } from '../../../api/processes/fleet/queue-setting';
import { parseQueueUrl } from '../../../api/processes/fleet/queue-url';
import { settings } from '../../../common/settings';
import { TASK_SCRIPT, type FromTask, type ToTask } from '../../../api/processes/task-protocol';
import { processTasks } from '../../../api/processes/tasks';
import { createService } from '../../../api/service/service';
import { Downloads } from '../../web/downloads';
import { startWebServer } from '../../web/server';
import { optionalInt, parse } from '../args';
import { APP_VERSION, cliNotice, cliOutput } from '../cli-service';

export function rendererDir(): string {
  const dir = join(import.meta.dirname, '..', 'renderer');
  if (!existsSync(join(dir, 'index.html'))) throw new EffconvError('INTERNAL', `the UI is not built (${dir}): run npm run build`, dir);
  return dir;
}

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { port: { type: 'string' }, quiet: { type: 'boolean' }, queue: { type: 'string' } });
  const port = optionalInt(values.port, 'port', 0) ?? 8765;
  if (port > 65535) throw new EffconvError('INVALID_ARGUMENT', `--port must be 0…65535, got ${port}`, 'port');
  const launcher = nodeWorkerLauncher(builtWorkerPath(), process.env, { nice: RUN_WORKER_NICE });
  const paths = homePaths();
  const tasks = processTasks(nodeWorkerLauncher<ToTask, FromTask>(builtWorkerPath(TASK_SCRIPT)));
  // --queue, else EFFCONV_QUEUE, else the queue set in the UI; Redis may be down now: the UI says so, runs wait for it.
  const url = (values.queue as string | undefined) ?? settings().fleet.queue ?? readQueueSetting(paths.home);
  const queue = url ? parseQueueUrl(url) : null;
  const service = createService({
    mode: 'web',
    version: APP_VERSION,
    paths,
    executor: (store) => coordinatorRuns(store, new RunQueue({ store, launcher }), { queue, adopt: true, rememberIn: paths.home, tasks }),
    tasks,
    followOutsideRuns: true,
    exportsToHome: true,
    notice: cliNotice,
    offerSample: cliOutput.offerSample,
  });
  let server;
  try {
    server = await startWebServer({ api: service.api, events: service.hub, staticDir: rendererDir(), downloads: new Downloads(), port });
  } catch (e) {
    await service.close();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new EffconvError('INVALID_ARGUMENT', `port ${port} is in use: pick another with --port (0 = any free port)`, 'port');
    throw e;
  }
  process.stdout.write(`EffConv Studio is serving on 127.0.0.1 only. Open this URL (it carries the access token):\n\n    ${server.url}\n\n`);
  process.stdout.write('From another machine: ssh -L PORT:127.0.0.1:PORT this-host, then open the URL there. Ctrl-C stops.\n');
  if (queue) process.stdout.write(`New runs go to the fleet's queue at ${queue.display} (effconv worker --queue … on each GPU box).\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('stopping: running runs checkpoint and pause (resume them later)…\n');
  await server.close();
  await service.close({ pauseRunning: true });
  return 0;
}

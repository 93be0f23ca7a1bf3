// The CLI's service: the same Api the desktop and web shells serve, with runs and tasks executed
// in this process (a terminal run trains where it was started) and exports placed beside the
// working folder unless --out says otherwise.
import { homePaths } from '../../common/paths';
import { settings } from '../../common/settings';
import { ForegroundRuns } from '../../api/processes/foreground-runs';
import { connectQueue } from '../../api/processes/fleet/connection';
import { coordinatorRuns } from '../../api/processes/fleet/coordinator';
import { parseQueueUrl } from '../../api/processes/fleet/queue-url';
import { inProcessTasks } from '../../api/processes/tasks';
import { createService, type Service } from '../../api/service/service';

declare const __APP_VERSION__: string | undefined;

export const APP_VERSION = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev';

/**
 * Set by main from argv: --quiet silences the service's own messages; the sample is offered only
 * by commands that open the library (dataset, run, search, train, sweep, serve), not by doctor,
 * runs, show or export, which scripts call against a home and which should not change it.
 */
export const cliOutput = { quiet: false, offerSample: false };

/** The service's own messages (the sample being added on the first start) on stderr, unless --quiet. */
export const cliNotice = (message: string): void => {
  if (!cliOutput.quiet) process.stderr.write(message + '\n');
};

/** The queue a command that executes runs uses: its --queue, else EFFCONV_QUEUE; none: this machine. */
export function queueOf(flags: { queue?: unknown }): string | undefined {
  return (typeof flags.queue === 'string' ? flags.queue : undefined) ?? settings().fleet.queue;
}

/** With `queue`, runs go to that fleet: checked first, so a wrong URL or password fails here by name. */
export async function withCliService<T>(f: (s: Service) => Promise<T>, o: { checkpointEveryMs?: number; queue?: string } = {}): Promise<T> {
  const target = o.queue ? parseQueueUrl(o.queue) : null;
  const redis = target ? await connectQueue(target, 'effconv-cli') : null;
  const service = createService({
    mode: 'cli',
    version: APP_VERSION,
    paths: homePaths(),
    executor: (store) => {
      const local = new ForegroundRuns(store, { checkpointEveryMs: o.checkpointEveryMs });
      return target ? coordinatorRuns(store, local, { queue: target, redis, adopt: false, checkpointEveryMs: o.checkpointEveryMs }) : local;
    },
    tasks: inProcessTasks(),
    store: { nativeBinding: settings().sqliteBinding },
    notice: cliNotice,
    offerSample: cliOutput.offerSample,
  });
  try {
    return await f(service);
  } finally {
    await service.close();
  }
}

// The CLI's service: the same Api the desktop and web shells serve, with runs and tasks executed
// in this process (a terminal run trains where it was started) and exports placed beside the
// working folder unless --out says otherwise.
import { homePaths } from '../../common/paths';
import { settings } from '../../common/settings';
import { ForegroundRuns } from '../../api/processes/foreground-runs';
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

export async function withCliService<T>(f: (s: Service) => Promise<T>, o: { checkpointEveryMs?: number } = {}): Promise<T> {
  const service = createService({
    mode: 'cli',
    version: APP_VERSION,
    paths: homePaths(),
    executor: (store) => new ForegroundRuns(store, { checkpointEveryMs: o.checkpointEveryMs }),
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

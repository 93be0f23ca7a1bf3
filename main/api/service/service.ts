// The whole Api as one service, whatever the shell: the experiment store and an executor for
// runs, the dataset library, backend probing, config checks and exports. A shell creates it
// once with where its data lives (HomePaths), where its runs and tasks execute, and closes it
// when it quits.
import type { Api, AppInfo } from '../../contract/api';
import type { HomePaths } from '../../common/paths';
import type { OpenStoreOptions, Store } from '../../store';
import type { RunExecutor } from '../processes/run-executor';
import type { TaskRunner } from '../processes/tasks';
import { openRunStore } from '../records/run-records';
import { createDatasetService } from './dataset-service';
import { createExportService } from './export-service';
import { createFleetService } from './fleet-service';
import { OutsideRunWatcher } from './outside-runs';
import { PushHub } from './push-hub';
import { createRunService } from './run-service';
import { createSweepService } from './sweep-service';
import { createSystemService } from './system-service';

export interface ServiceOptions {
  mode: AppInfo['mode'];
  version: string;
  paths: HomePaths;
  /** Where runs execute: the local queue of worker processes, or this process (the CLI), or either beside a fleet (RoutedRuns). */
  executor: (store: Store) => RunExecutor;
  /** Where tasks (imports, exports, probes) execute. */
  tasks: TaskRunner;
  store?: OpenStoreOptions;
  /** Follow runs that other processes drive (a terminal's `effconv run` seen by the GUI). */
  followOutsideRuns?: boolean;
  /** Exports the user placed nowhere go under paths.exports (the GUI); else beside the working folder (the CLI). */
  exportsToHome?: boolean;
}

export interface Service {
  api: Api;
  hub: PushHub;
  executor: RunExecutor;
  /** Stop taking work; running runs checkpoint and pause when `pauseRunning` (the app quits). */
  close(o?: { pauseRunning?: boolean }): Promise<void>;
}

export function createService(o: ServiceOptions): Service {
  const hub = new PushHub();
  const publish = hub.publish.bind(hub);
  const store = openRunStore(o.paths.database, o.store);
  const executor = o.executor(store);
  executor.start();
  const runs = createRunService({ store, executor, tasks: o.tasks, publish, runsRoot: o.paths.runs });
  const outside = o.followOutsideRuns ? new OutsideRunWatcher(store, (id) => executor.running.includes(id), publish) : null;
  outside?.start();
  const api: Api = {
    ...createSystemService({ mode: o.mode, version: o.version, home: o.paths.home, tasks: o.tasks }),
    ...createDatasetService(o.tasks, publish),
    ...runs,
    ...createExportService({ tasks: o.tasks, dbPath: store.path, exportsDir: o.exportsToHome ? o.paths.exports : undefined }),
    ...createFleetService(executor),
    ...createSweepService({ store, executor, tasks: o.tasks, runsRoot: o.paths.runs }),
  };
  return {
    api,
    hub,
    executor,
    async close(c = {}) {
      outside?.stop();
      await executor.shutdown({ pauseRunning: c.pauseRunning });
      runs.dispose();
      store.close();
    },
  };
}

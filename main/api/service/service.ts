// The whole Api as one service, whatever the shell: the experiment store and an executor for
// runs, the dataset library (and the sample, offered on creation), downloads, backend probing,
// run-time estimates, config checks and exports. A shell creates it once with where its data
// lives (HomePaths), where its runs and tasks execute, and closes it when it quits.
import type { Api, AppInfo } from '../../contract/api';
import type { HomePaths } from '../../common/paths';
import type { Registry } from '../../data/download/registry';
import { SAMPLE_DATASET } from '../../data/library';
import { listRuns, type OpenStoreOptions, type Store } from '../../store';
import type { RunExecutor } from '../processes/run-executor';
import type { TaskRunner } from '../processes/tasks';
import { lazyRunStore } from '../records/run-records';
import { createDatasetService } from './dataset-service';
import { createEstimateService } from './estimate-service';
import { createExportService } from './export-service';
import { createFleetService } from './fleet-service';
import { OutsideRunWatcher } from './outside-runs';
import { PushHub } from './push-hub';
import { createRunService } from './run-service';
import { createSweepService } from './sweep-service';
import { createSystemService } from './system-service';
import { TrackedTasks } from './tracked-tasks';

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
  /** Put the bundled sample into the library if it was never offered (default true; once per home, whichever shell starts first). */
  offerSample?: boolean;
  /** Where the service says what it does on its own (adding the sample, or why it could not): the CLI's stderr, the GUI shells' log. */
  notice?: (message: string) => void;
  /** The data sets downloadDataset fetches (default: the app's registry; tests give their own). */
  datasetRegistry?: Registry;
}

export interface Service {
  api: Api;
  hub: PushHub;
  executor: RunExecutor;
  /** Settles when the sample has been offered (added, already there, or failed and noticed). */
  sampleOffered: Promise<void>;
  /** Stop taking work; running runs checkpoint and pause when `pauseRunning` (the app quits). */
  close(o?: { pauseRunning?: boolean }): Promise<void>;
}

export function createService(o: ServiceOptions): Service {
  const hub = new PushHub();
  const publish = hub.publish.bind(hub);
  const store = lazyRunStore(o.paths.database, o.store);
  const executor = o.executor(store);
  executor.start();
  const runs = createRunService({ store, executor, tasks: o.tasks, publish, runsRoot: o.paths.runs });
  const sampleOffered = o.offerSample === false ? Promise.resolve() : offerSample(o);
  const tracked = new TrackedTasks(o.tasks, publish);
  const estimates = createEstimateService({ tasks: o.tasks, busy: () => listRuns(store, { status: ['running'], limit: 1 }).total > 0 });
  const outside = o.followOutsideRuns ? new OutsideRunWatcher(store, (id) => executor.running.includes(id), publish) : null;
  outside?.start();
  const api: Api = {
    ...createSystemService({ mode: o.mode, version: o.version, home: o.paths.home, tasks: o.tasks }),
    ...createDatasetService({ tasks: o.tasks, tracked, sampleOffered, registry: o.datasetRegistry }),
    estimateRun: estimates.estimateRun,
    ...runs,
    ...createExportService({ tasks: o.tasks, store, exportsDir: o.exportsToHome ? o.paths.exports : undefined }),
    ...createFleetService(executor),
    ...createSweepService({ store, executor, tasks: o.tasks, runsRoot: o.paths.runs, estimates }),
  };
  return {
    api,
    hub,
    executor,
    sampleOffered,
    async close(c = {}) {
      outside?.stop();
      await sampleOffered;
      await executor.shutdown({ pauseRunning: c.pauseRunning });
      runs.dispose();
      store.close();
    },
  };
}

/** First start: the sample into the library (as a task: it decodes 10,000 images). A failure is noticed, never thrown: the service works without it. */
async function offerSample(o: ServiceOptions): Promise<void> {
  try {
    await o.tasks({ kind: 'sample', restore: false }, { onProgress: () => o.notice?.(`adding the sample data set "${SAMPLE_DATASET.name}" (${SAMPLE_DATASET.description}) to the library…`) });
  } catch (e) {
    o.notice?.(`the sample data set was not added: ${e instanceof Error ? e.message : String(e)}`);
  }
}

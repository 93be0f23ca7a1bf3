// The whole Api as the desktop and web shells serve it: the store and job runner for runs, the
// dataset library, backend probing, and exports in task processes. Shells create it with the
// launchers of their runtime and close it on quit.
import { join } from 'node:path';
import type { Api, AppInfo, ExportFormat, ExportResult, PushEvent } from '../contract/api';
import { databasePath, effconvHome } from '../common/paths';
import type { OpenStoreOptions } from '../store';
import { createDatasetService } from './dataset-service';
import { PushHub } from './dispatch';
import { JobRunner, type WorkerLauncher } from './jobs';
import { OutsideRunWatcher } from './outside-runs';
import { createRunService } from './run-service';
import { openRunStore } from './runs';
import { createSystemService } from './system-service';
import { runTask, type TaskLauncher } from './tasks';

export interface ServiceOptions {
  mode: AppInfo['mode'];
  version: string;
  runLauncher: WorkerLauncher;
  taskLauncher: TaskLauncher;
  store?: OpenStoreOptions;
  concurrency?: number;
}

export interface Service {
  api: Api;
  hub: PushHub;
  /** Stop starting runs; running ones checkpoint and pause when `pauseRunning` (the app quits). */
  close(o?: { pauseRunning?: boolean }): Promise<void>;
}

export function createService(o: ServiceOptions): Service {
  const hub = new PushHub();
  const publish = (e: PushEvent) => hub.publish(e);
  const store = openRunStore(databasePath(), o.store);
  const runner = new JobRunner({ store, launcher: o.runLauncher, concurrency: o.concurrency ?? 1 });
  runner.start();
  const runs = createRunService(store, runner, publish);
  // Runs started elsewhere (the CLI, another window) show up and update live too.
  const outside = new OutsideRunWatcher(store, (id) => runner.running.includes(id), publish);
  outside.start();
  const datasets = createDatasetService(o.taskLauncher, publish);
  const system = createSystemService({ mode: o.mode, version: o.version, tasks: o.taskLauncher });

  const api: Api = {
    ...system,
    ...datasets,
    ...runs,
    async exportRun(id: number, format: ExportFormat): Promise<ExportResult> {
      const out = join(effconvHome(), 'exports', `run-${id}`, format === 'config' ? 'config.json' : format === 'onnx' ? 'model.onnx' : format);
      return (await runTask(o.taskLauncher, { kind: 'export', dbPath: store.path, runId: id, format, out })) as ExportResult;
    },
  };
  return {
    api,
    hub,
    async close(c = {}) {
      outside.stop();
      await runner.shutdown({ pauseRunning: c.pauseRunning });
      runs.dispose();
      store.close();
    },
  };
}

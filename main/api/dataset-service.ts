// The dataset half of the Api: the library read in-process (small files), imports in a task
// process with progress pushed to the UI and a cancel by job id.
import { randomBytes } from 'node:crypto';
import type { Api, DatasetInfo, DatasetSamples, ImportRequest, JobInfo, PushEvent } from '../contract/api';
import { EffconvError, isCancelled, serializeError } from '../contract/errors';
import { datasetSamples, findDataset, listDatasets, removeDataset } from '../data/library';
import { toDatasetInfo } from './dataset-info';
import { runTask, type TaskLauncher } from './tasks';

export type DatasetApi = Pick<Api, 'listDatasets' | 'getDataset' | 'datasetSamples' | 'importDataset' | 'cancelJob' | 'removeDataset'>;

export function createDatasetService(tasks: TaskLauncher, publish: (e: PushEvent) => void): DatasetApi & { running(): number } {
  const jobs = new Map<string, AbortController>();
  return {
    running: () => jobs.size,

    async listDatasets(): Promise<DatasetInfo[]> {
      return listDatasets().map(toDatasetInfo);
    },

    async getDataset(name: string): Promise<DatasetInfo> {
      const d = findDataset(name);
      if (!d) throw new EffconvError('DATASET_NOT_FOUND', `the library has no dataset "${name}"`, name);
      return toDatasetInfo(d);
    },

    async datasetSamples(name: string, perClass: number): Promise<DatasetSamples> {
      if (!findDataset(name)) throw new EffconvError('DATASET_NOT_FOUND', `the library has no dataset "${name}"`, name);
      const s = await datasetSamples(name, { perClass, encoding: 'data-url', scale: 1 });
      return { name, classes: s.classes.map((c) => ({ index: c.index, name: c.name, images: c.images.map((i) => i.dataUrl!) })) };
    },

    async importDataset(req: ImportRequest): Promise<JobInfo> {
      const id = `import-${randomBytes(6).toString('hex')}`;
      const abort = new AbortController();
      jobs.set(id, abort);
      const base = { kind: 'import' as const, jobId: id };
      publish({ ...base, phase: 'starting', done: 0, total: 0, etaSeconds: null, status: 'running' });
      void runTask(tasks, { kind: 'import', request: req }, {
        signal: abort.signal,
        onProgress: (p) => publish({ ...base, phase: p.phase, done: p.done, total: p.total, etaSeconds: p.etaSeconds, status: 'running' }),
      }).then(
        (value) => {
          const v = value as { dataset: DatasetInfo; created: boolean; duplicateOf: string | null };
          const phase = v.created ? 'imported' : `identical to "${v.duplicateOf}" already in the library`;
          publish({ ...base, phase, done: 1, total: 1, etaSeconds: 0, status: 'done', dataset: v.dataset.name });
        },
        (e) => {
          const cancelled = abort.signal.aborted || isCancelled(e);
          publish({ ...base, phase: cancelled ? 'cancelled' : 'failed', done: 0, total: 0, etaSeconds: null, status: cancelled ? 'cancelled' : 'failed', error: cancelled ? undefined : serializeError(e).message });
        },
      ).finally(() => jobs.delete(id));
      return { id };
    },

    async cancelJob(jobId: string): Promise<void> {
      const job = jobs.get(jobId);
      if (!job) throw new EffconvError('NOT_FOUND', `no running job ${jobId}`, jobId);
      job.abort();
    },

    async removeDataset(name: string): Promise<void> {
      removeDataset(name);
    },
  };
}

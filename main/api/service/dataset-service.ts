// The datasets half of the Api: the library read in this process (small files), imports as
// tasks with progress pushed to every shell and a cancel by task id.
import { randomBytes } from 'node:crypto';
import type { Api, DatasetInfo, DatasetSamples, DatasetVerification, ImportRequest, PushEvent, SamplesRequest, TaskInfo } from '../../contract/api';
import { EffconvError, isCancelled, serializeError } from '../../contract/errors';
import { datasetSamples, getDataset, listDatasets, removeDataset, verifyDataset } from '../../data/library';
import { toDatasetInfo } from '../records/dataset-info';
import type { TaskRunner } from '../processes/tasks';

export type DatasetApi = Pick<Api, 'listDatasets' | 'getDataset' | 'datasetSamples' | 'importDataset' | 'verifyDataset' | 'cancelTask' | 'removeDataset'>;

export function createDatasetService(tasks: TaskRunner, publish: (e: PushEvent) => void): DatasetApi & { running(): number } {
  const running = new Map<string, AbortController>();
  return {
    running: () => running.size,

    async listDatasets(): Promise<DatasetInfo[]> {
      return listDatasets().map(toDatasetInfo);
    },

    async getDataset(name: string): Promise<DatasetInfo> {
      return toDatasetInfo(getDataset(name));
    },

    async datasetSamples(name: string, req: SamplesRequest): Promise<DatasetSamples> {
      getDataset(name);
      const s = await datasetSamples(name, { perClass: req.perClass, split: req.split, scale: req.scale ?? 1, encoding: 'data-url' });
      return { name, split: s.split, classes: s.classes.map((c) => ({ index: c.index, name: c.name, images: c.images.map((i) => i.dataUrl!), indices: c.images.map((i) => i.index) })) };
    },

    async importDataset(req: ImportRequest): Promise<TaskInfo> {
      const id = `import-${randomBytes(6).toString('hex')}`;
      const abort = new AbortController();
      running.set(id, abort);
      const base = { kind: 'import' as const, taskId: id };
      publish({ ...base, phase: 'starting', done: 0, total: 0, etaSeconds: null, status: 'running' });
      void tasks({ kind: 'import', request: req }, {
        signal: abort.signal,
        onProgress: (p) => publish({ ...base, ...p, status: 'running' }),
      }).then(
        (result) => {
          const phase = result.created ? 'imported' : `identical to "${result.duplicateOf}" already in the library`;
          publish({ ...base, phase, done: 1, total: 1, etaSeconds: 0, status: 'done', result });
        },
        (e) => {
          const cancelled = abort.signal.aborted || isCancelled(e);
          publish({
            ...base, phase: cancelled ? 'cancelled' : 'failed', done: 0, total: 0, etaSeconds: null, status: cancelled ? 'cancelled' : 'failed',
            ...(cancelled ? {} : { error: serializeError(e) }),
          });
        },
      ).finally(() => running.delete(id));
      return { id };
    },

    async verifyDataset(name: string): Promise<DatasetVerification> {
      return verifyDataset(name);
    },

    async cancelTask(taskId: string): Promise<void> {
      const task = running.get(taskId);
      if (!task) throw new EffconvError('NOT_FOUND', `no running task ${taskId}`, taskId);
      task.abort();
    },

    async removeDataset(name: string): Promise<void> {
      removeDataset(name);
    },
  };
}

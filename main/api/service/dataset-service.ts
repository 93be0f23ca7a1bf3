// The datasets half of the Api: the library read in this process (small files); imports and
// downloads as tasks with progress pushed to every shell and a cancel by task id; the bundled
// sample, offered once when the service is created and added back on request.
import { join } from 'node:path';
import type { Api, DatasetInfo, DatasetSamples, DatasetVerification, DownloadRequest, ImportRequest, TaskInfo } from '../../contract/api';
import type { DownloadableDataset, SampleOutcome } from '../../contract/download';
import { EffconvError } from '../../contract/errors';
import { baseUrls, cachedBytes, downloadCacheRoot } from '../../data/download/download-dataset';
import { DATASET_REGISTRY, downloadBytes, findRegistryEntry, storedBytes, type Registry, type RegistryEntry, type ManualEntry } from '../../data/download/registry';
import { datasetSamples, findDataset, getDataset, listDatasets, removeDataset, SAMPLE_DATASET, verifyDataset } from '../../data/library';
import type { TaskRunner } from '../processes/tasks';
import { toDatasetInfo } from '../records/dataset-info';
import type { TrackedTasks } from './tracked-tasks';

export type DatasetApi = Pick<
  Api,
  'listDatasets' | 'getDataset' | 'datasetSamples' | 'importDataset' | 'downloadableDatasets' | 'downloadDataset' | 'addSampleDataset' | 'verifyDataset' | 'cancelTask' | 'removeDataset'
>;

export interface DatasetServiceOptions {
  tasks: TaskRunner;
  tracked: TrackedTasks;
  /** Settles once the sample has been offered (the first listing waits for it, so it is in the list from the first start). */
  sampleOffered: Promise<unknown>;
  /** The data sets that can be downloaded (default: the app's registry). */
  registry?: Registry;
}

const downloadKey = (name: string) => `download:${name}`;

function describe(e: RegistryEntry | ManualEntry, taskId: string | null): DownloadableDataset {
  if (e.kind === 'manual') {
    return {
      name: e.name, title: e.title, homepage: e.homepage, kind: 'manual', licence: null, files: [], downloadBytes: 0, libraryBytes: 0, images: null,
      libraryName: null, inLibrary: false, cachedBytes: 0, taskId: null, steps: e.steps,
    };
  }
  return {
    name: e.name, title: e.title, homepage: e.homepage, kind: 'download', licence: e.licence,
    files: e.files.map((f) => ({ name: f.name, bytes: f.bytes })), downloadBytes: downloadBytes(e), libraryBytes: storedBytes(e), images: e.images,
    libraryName: e.import.name, inLibrary: findDataset(e.import.name) !== null, cachedBytes: cachedBytes(e, join(downloadCacheRoot(), e.name)),
    taskId, steps: [],
  };
}

export function createDatasetService(o: DatasetServiceOptions): DatasetApi {
  const { tasks, tracked } = o;
  const registry = o.registry ?? DATASET_REGISTRY;
  const settled = () => o.sampleOffered.catch(() => {});
  return {
    async listDatasets(): Promise<DatasetInfo[]> {
      await settled();
      return listDatasets().map(toDatasetInfo);
    },

    async getDataset(name: string): Promise<DatasetInfo> {
      return toDatasetInfo(getDataset(name));
    },

    async datasetSamples(name: string, req): Promise<DatasetSamples> {
      getDataset(name);
      const s = await datasetSamples(name, { perClass: req.perClass, split: req.split, scale: req.scale ?? 1, encoding: 'data-url' });
      return { name, split: s.split, classes: s.classes.map((c) => ({ index: c.index, name: c.name, images: c.images.map((i) => i.dataUrl!), indices: c.images.map((i) => i.index) })) };
    },

    async importDataset(req: ImportRequest): Promise<TaskInfo> {
      return tracked.start({ kind: 'import', request: req }, { task: 'import' }, {
        donePhase: (r) => (r.created ? 'imported' : `identical to "${r.duplicateOf}" already in the library`),
      });
    },

    async downloadableDatasets(): Promise<DownloadableDataset[]> {
      return registry.map((e) => describe(e, tracked.find(downloadKey(e.name))));
    },

    // What can be refused before anything is fetched is refused here, so the caller shows it in place.
    async downloadDataset(req: DownloadRequest): Promise<TaskInfo> {
      const entry = findRegistryEntry(registry, req.name);
      if (entry.kind === 'manual') {
        throw new EffconvError('DOWNLOAD_MANUAL', `${entry.title} cannot be downloaded by EffConv Studio:\n${entry.steps.map((s, i) => `  ${i + 1}. ${s}`).join('\n')}`, entry.homepage);
      }
      baseUrls(entry, req.mirror);
      const running = tracked.find(downloadKey(entry.name));
      if (running) return { id: running };
      return tracked.start(
        { kind: 'download', name: entry.name, ...(req.mirror ? { mirror: req.mirror } : {}), ...(o.registry ? { registry: o.registry } : {}) },
        { task: 'download', name: entry.name },
        {
          key: downloadKey(entry.name),
          donePhase: (r) => (r.alreadyInLibrary ? `already in the library as "${r.libraryName}"` : r.import?.created === false ? `identical to "${r.import.duplicateOf}" already in the library` : 'imported'),
        },
      );
    },

    async addSampleDataset(): Promise<SampleOutcome> {
      await settled();
      const r = await tasks({ kind: 'sample', restore: true });
      if (r.name === null) throw new EffconvError('DATASET_EXISTS', `the sample was not added: ${r.reason ?? 'its name is taken'}`, SAMPLE_DATASET.name);
      return { name: r.name, added: r.added, description: SAMPLE_DATASET.description };
    },

    async verifyDataset(name: string): Promise<DatasetVerification> {
      return verifyDataset(name);
    },

    async cancelTask(taskId: string): Promise<void> {
      tracked.cancel(taskId);
    },

    async removeDataset(name: string): Promise<void> {
      removeDataset(name);
    },
  };
}

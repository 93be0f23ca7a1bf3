// The Datasets screen's downloads: what can be downloaded (with what is already here), each
// running download's latest progress, and each one's outcome or error, kept by registry name so
// a download started before the screen was opened (or in another window) is followed too.
import type { PushEvent, TaskEvent } from '../../../main/contract/api';
import type { DownloadableDataset } from '../../../main/contract/download';
import { api } from '../api';

export type DownloadEvent = Extract<TaskEvent, { task: 'download' }>;

export class Downloads {
  list = $state.raw<DownloadableDataset[]>([]);
  loaded = $state(false);
  listError = $state<unknown>(null);
  /** Latest progress of the running downloads, by name. */
  progress = $state.raw<Record<string, DownloadEvent>>({});
  /** What the last download of each ended with: an error, or a line saying what was imported. */
  errors = $state.raw<Record<string, unknown>>({});
  done = $state.raw<Record<string, string>>({});
  /** Optional base URL holding the same file names (empty: the publishers'). */
  mirror = $state('');

  readonly #onImported: (libraryName: string) => void;

  constructor(onImported: (libraryName: string) => void) {
    this.#onImported = onImported;
  }

  async load(): Promise<void> {
    try {
      this.list = await api.downloadableDatasets();
      this.listError = null;
    } catch (e) {
      this.listError = e;
    } finally {
      this.loaded = true;
    }
  }

  running(name: string): boolean {
    return name in this.progress || this.list.some((d) => d.name === name && d.taskId !== null);
  }

  async start(name: string): Promise<void> {
    this.errors = { ...this.errors, [name]: null };
    this.done = { ...this.done, [name]: '' };
    try {
      const mirror = this.mirror.trim();
      await api.downloadDataset({ name, ...(mirror ? { mirror } : {}) });
    } catch (e) {
      this.errors = { ...this.errors, [name]: e };
    }
  }

  async cancel(name: string): Promise<void> {
    const id = this.progress[name]?.taskId ?? this.list.find((d) => d.name === name)?.taskId;
    if (!id) return;
    try {
      await api.cancelTask(id);
    } catch (e) {
      this.errors = { ...this.errors, [name]: e };
    }
  }

  /** Push events: follow every download, whoever started it. */
  handle(e: PushEvent): void {
    if (e.kind !== 'task' || e.task !== 'download') return;
    const { [e.name]: _, ...others } = this.progress;
    if (e.status === 'running') {
      this.progress = { ...others, [e.name]: e };
      return;
    }
    this.progress = others;
    if (e.status === 'done' && e.result) {
      const r = e.result;
      const d = r.import?.dataset;
      const line = r.alreadyInLibrary
        ? `Already in the library as ${r.libraryName}.`
        : r.import && !r.import.created
          ? `Identical data is already in the library as ${r.import.duplicateOf}.`
          : d
            ? `Imported ${d.name}: ${d.counts.train.reduce((a, b) => a + b, 0).toLocaleString()} train / ${d.counts.test.reduce((a, b) => a + b, 0).toLocaleString()} test images.`
            : 'Done.';
      this.done = { ...this.done, [e.name]: line };
      if (d) this.#onImported(d.name);
    } else if (e.status === 'failed') {
      this.errors = { ...this.errors, [e.name]: e.error ?? { message: 'The download failed.' } };
    } else {
      this.done = { ...this.done, [e.name]: 'Cancelled. What was downloaded is kept: Download resumes it.' };
    }
    void this.load();
  }
}

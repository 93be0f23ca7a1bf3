// The experiment list: query (filter, sort, page) sent to SQL, one page of rows kept.
import type { Page, RunQuery, RunRow, RunStatus } from '../../../main/contract/store';
import { api } from '../api';

export const PAGE_SIZE = 50;

export class RunList {
  text = $state('');
  status = $state<RunStatus[]>([]);
  sort = $state<NonNullable<RunQuery['sort']>>('created');
  desc = $state(true);
  offset = $state(0);
  rows = $state.raw<RunRow[]>([]);
  total = $state(0);
  loading = $state(false);
  loadedOnce = $state(false);
  error = $state<unknown>(null);
  /** Milliseconds the last query took (shown, and read by the scale test). */
  lastMs = $state(0);
  private seq = 0;

  get query(): RunQuery {
    return { text: this.text || undefined, status: this.status.length ? this.status : undefined, sort: this.sort, order: this.desc ? 'desc' : 'asc', offset: this.offset, limit: PAGE_SIZE };
  }

  async load(): Promise<void> {
    const seq = ++this.seq;
    this.loading = true;
    const t0 = performance.now();
    try {
      const page: Page<RunRow> = await api.listRuns(this.query);
      if (seq !== this.seq) return; // a newer query answered first
      this.rows = page.items;
      this.total = page.total;
      this.error = null;
      this.lastMs = performance.now() - t0;
    } catch (e) {
      if (seq === this.seq) this.error = e;
    } finally {
      if (seq === this.seq) {
        this.loading = false;
        this.loadedOnce = true;
      }
    }
  }

  sortBy(field: NonNullable<RunQuery['sort']>): void {
    if (this.sort === field) this.desc = !this.desc;
    else {
      this.sort = field;
      this.desc = field === 'created' || field === 'top1';
    }
    this.offset = 0;
    void this.load();
  }
}

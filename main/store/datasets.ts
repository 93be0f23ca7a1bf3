// The store's copy of dataset metadata, keyed by (name, sha256): the library may change or
// forget a data set, but a run keeps pointing at what it trained on.
import { EffconvError } from '../contract/errors';
import type { DatasetRow, StoredDataset } from '../contract/store';
import type { Store } from './db';
import { iso, parseJson } from './rows';

interface DatasetsTableRow {
  id: number;
  name: string;
  sha256: string;
  source: string | null;
  format: string | null;
  height: number;
  width: number;
  channels: number;
  classes: number;
  train_count: number | null;
  test_count: number | null;
  meta: string;
  created_at: number;
  updated_at: number;
}

function toStored(r: DatasetsTableRow): StoredDataset {
  return {
    id: r.id,
    name: r.name,
    sha256: r.sha256 || null,
    source: r.source,
    format: r.format,
    height: r.height,
    width: r.width,
    channels: r.channels,
    classes: r.classes,
    trainCount: r.train_count,
    testCount: r.test_count,
    meta: parseJson<Record<string, unknown>>(r.meta, 'datasets.meta') ?? {},
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

function positive(v: number, field: string): void {
  if (!Number.isInteger(v) || v < 1) throw new EffconvError('INVALID_ARGUMENT', `dataset ${field} must be an integer >= 1, got ${v}`, field);
}

/** Insert or refresh the record for (name, sha256); returns its id. */
export function upsertDataset(store: Store, d: DatasetRow, now = Date.now()): number {
  if (!d.name) throw new EffconvError('INVALID_ARGUMENT', 'a dataset record needs a name', 'name');
  if (d.sha256 != null && !/^[0-9a-f]{64}$/.test(d.sha256)) throw new EffconvError('INVALID_ARGUMENT', `dataset ${d.name}: sha256 must be 64 hex digits`, 'sha256');
  for (const f of ['height', 'width', 'channels', 'classes'] as const) positive(d[f], f);
  return store.write(() => {
    store
      .prepare(
        `INSERT INTO datasets (name, sha256, source, format, height, width, channels, classes, train_count, test_count, meta, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name, sha256) DO UPDATE SET source = excluded.source, format = excluded.format, height = excluded.height,
           width = excluded.width, channels = excluded.channels, classes = excluded.classes, train_count = excluded.train_count,
           test_count = excluded.test_count, meta = excluded.meta, updated_at = excluded.updated_at`,
      )
      .run(d.name, d.sha256 ?? '', d.source ?? null, d.format ?? null, d.height, d.width, d.channels, d.classes, d.trainCount ?? null, d.testCount ?? null, JSON.stringify(d.meta ?? {}), now, now);
    return store.prepare<[string, string], { id: number }>('SELECT id FROM datasets WHERE name = ? AND sha256 = ?').get(d.name, d.sha256 ?? '')!.id;
  });
}

export function getStoredDataset(store: Store, id: number): StoredDataset | null {
  const r = store.prepare<[number], DatasetsTableRow>('SELECT * FROM datasets WHERE id = ?').get(id);
  return r ? toStored(r) : null;
}

export function listStoredDatasets(store: Store): StoredDataset[] {
  return store.prepare<[], DatasetsTableRow>('SELECT * FROM datasets ORDER BY name, updated_at DESC').all().map(toStored);
}

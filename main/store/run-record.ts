// One run with everything a detail view shows: options, folders, layer names, soft sizes,
// the dataset record, epoch metrics and artifacts.
import type { RunOptions } from '../contract/run';
import type { RunRecord } from '../contract/store';
import { listArtifacts } from './artifacts';
import { getStoredDataset } from './datasets';
import type { Store } from './db';
import { epochMetrics } from './metric-queries';
import { parseFloat32Json, parseJson } from './rows';
import { getRunRow, toRunSummary } from './runs';

export function getRunRecord(store: Store, id: number): RunRecord {
  const row = getRunRow(store, id);
  return {
    ...toRunSummary(row),
    options: parseJson<RunOptions>(row.options, 'runs.options')!,
    dir: row.dir,
    outDir: row.out_dir,
    layers: parseJson<string[]>(row.layers, 'runs.layers'),
    soft: parseFloat32Json(row.soft, 'runs.soft'),
    datasetRecord: row.dataset_id != null ? getStoredDataset(store, row.dataset_id) : null,
    epochs: epochMetrics(store, id),
    artifacts: listArtifacts(store, id),
  };
}

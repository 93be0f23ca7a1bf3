// The library's entries: list, look up, remove. Only complete entries exist (imports appear by
// a rename), so a folder without a valid meta.json is not a data set and is left out.
import { existsSync, readdirSync } from 'node:fs';
import { withSystemErrors, type SystemErrorContext } from '../../common/system-errors';
import { EffconvError } from '../../contract/errors';
import { checkDatasetName, deleteEntry, entryDir, libraryRoot, removeLeftovers } from './layout';
import { META_FILE, readRecord, type DatasetRecord } from './record';

const reading = (): SystemErrorContext => ({ action: 'read the dataset library in', path: libraryRoot(), role: 'storage' });

export function listDatasets(): DatasetRecord[] {
  removeLeftovers();
  const root = libraryRoot();
  if (!existsSync(root)) return [];
  const out: DatasetRecord[] = [];
  for (const name of withSystemErrors(reading(), () => readdirSync(root)).sort()) {
    if (name.startsWith('.') || !existsSync(`${root}/${name}/${META_FILE}`)) continue;
    try {
      out.push(readRecord(entryDir(name)));
    } catch {
      // A hand-edited or damaged record: not listed; getDataset(name) reports why.
    }
  }
  return out;
}

export function findDataset(name: string): DatasetRecord | null {
  const dir = entryDir(checkDatasetName(name));
  return existsSync(`${dir}/${META_FILE}`) ? withSystemErrors(reading(), () => readRecord(dir)) : null;
}

export function getDataset(name: string): DatasetRecord {
  const r = findDataset(name);
  if (!r) {
    const names = listDatasets().map((d) => d.name);
    throw new EffconvError('DATASET_NOT_FOUND', `no dataset "${name}" in the library (${libraryRoot()})${names.length ? `; it has: ${names.join(', ')}` : ' (it is empty)'}`, name);
  }
  return r;
}

export function removeDataset(name: string): void {
  getDataset(name);
  deleteEntry(name);
}

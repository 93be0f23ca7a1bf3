// Turn the user's --dataset into an opened ImageSet: a library name first, then the
// fashion-mnist alias (Debian's package), then a path. A folder of idx files opens directly;
// any other data set is imported once (effconv dataset import PATH) and used by name.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { EffconvError } from '../contract/errors';
import type { ImageSet } from './image-set';
import { pickIdxFolder } from './importers/idx';
import { findDataset, listDatasets } from './library/catalog';
import { libraryRoot, looksLikeName, removeLeftovers } from './library/layout';
import { openLibraryDataset } from './library/open';
import { openIdxFolder } from './open-idx';
import { detectFormat } from './importers/detect';
import { openTree } from './sources/tree';

/** Where Debian's dataset-fashion-mnist package puts the files. */
export const DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

const WELL_KNOWN: Record<string, string> = {
  'fashion-mnist': DEBIAN_FASHION_MNIST,
};

/** Where a --dataset would be read from, without reading it: a library entry, or a folder of idx files (an alias or a path). */
export function datasetSource(spec: string): { kind: 'library'; name: string } | { kind: 'idx'; dir: string; name: string | undefined } {
  removeLeftovers();
  if (looksLikeName(spec) && findDataset(spec)) return { kind: 'library', name: spec };
  const known = WELL_KNOWN[spec.toLowerCase()];
  if (known && existsSync(known)) return { kind: 'idx', dir: known, name: spec.toLowerCase() };
  const path = resolve(spec);
  if (existsSync(path) && (pickIdxFolder(path)?.missing.length ?? 4) < 4) return { kind: 'idx', dir: path, name: undefined };
  openDataset(spec); // says why not
  throw new EffconvError('DATASET_NOT_FOUND', `dataset "${spec}" not found`, spec);
}

export function openDataset(spec: string): ImageSet {
  removeLeftovers();
  if (looksLikeName(spec) && findDataset(spec)) return openLibraryDataset(spec);
  const known = WELL_KNOWN[spec.toLowerCase()];
  if (known && existsSync(known)) return openIdxFolder(known, spec.toLowerCase());
  const path = resolve(spec);
  if (!existsSync(path)) {
    const names = listDatasets().map((d) => d.name);
    const hint = known ? ` (effconv dataset download ${spec.toLowerCase()} fetches it; Debian's dataset-fashion-mnist package would put it at ${known})` : '';
    const library = names.length ? `; the library (${libraryRoot()}) has: ${names.join(', ')}` : `; the library (${libraryRoot()}) is empty`;
    throw new EffconvError('DATASET_NOT_FOUND', `dataset "${spec}" not found: no library entry or path of that name${hint}${library}`, spec);
  }
  // A folder with any idx file opens as one (a missing file is then named).
  if ((pickIdxFolder(path)?.missing.length ?? 4) < 4) return openIdxFolder(path);
  throw new EffconvError('DATASET_NOT_FOUND', `${path} is not opened directly (only folders of idx files are): import it once with \`effconv dataset import ${spec}\`, then use --dataset with its name`, path);
}

/** What format a path holds, for messages and the UI's import dialog (detection only, nothing is read but names). */
export async function describePath(path: string): Promise<{ format: string; root: string }> {
  const tree = await openTree(path);
  try {
    return detectFormat(tree);
  } finally {
    tree.close();
  }
}

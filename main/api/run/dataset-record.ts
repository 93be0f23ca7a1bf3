// The store's copy of a run's dataset metadata: the library's record when the run used a
// library entry (format, source, import settings), else what the opened data set says.
import type { DatasetRow } from '../../contract/store';
import { findDataset } from '../../data/library/catalog';
import { looksLikeName } from '../../data/library/layout';
import type { RunStartInfo } from './resumable-stages';

export function datasetRecordFor(d: RunStartInfo['dataset']): DatasetRow {
  const { spec, trainCount, testCount, name, sha256, height, width, channels, classes, ...rest } = d;
  const lib = looksLikeName(spec) ? findDataset(spec) : null;
  if (lib && lib.sha256 === sha256) {
    return {
      name, sha256, height, width, channels, classes, trainCount, testCount, source: lib.source, format: lib.sourceFormat,
      meta: { classNames: lib.classNames, mean: lib.mean, std: lib.std, flipSafe: lib.flipSafe, import: lib.import, skipped: lib.skipped, libraryCreatedAt: lib.createdAt },
    };
  }
  return { name, sha256, height, width, channels, classes, trainCount, testCount, source: spec, format: null, meta: { ...rest } };
}

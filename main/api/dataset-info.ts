// The library's record as the UI contract shows it.
import type { DatasetInfo } from '../contract/api';
import type { DatasetRecord } from '../data/library';

export function toDatasetInfo(r: DatasetRecord): DatasetInfo {
  return {
    name: r.name,
    format: r.sourceFormat,
    source: r.source,
    shape: { height: r.height, width: r.width, channels: r.channels },
    classes: r.classes,
    classNames: r.classNames,
    counts: { train: r.splits.train.perClass, test: r.splits.test.perClass },
    mean: r.mean,
    std: r.std,
    sha256: r.sha256,
    createdAt: r.createdAt,
    skipped: r.skipped,
  };
}

// A library entry as the Api shows it (DatasetInfo): the same shape in every shell.
import type { DatasetInfo } from '../../contract/api';
import type { DatasetRecord } from '../../data/library';

export function toDatasetInfo(r: DatasetRecord): DatasetInfo {
  const splits = Object.values(r.splits);
  return {
    name: r.name,
    format: r.sourceFormat,
    source: r.source,
    shape: { height: r.height, width: r.width, channels: r.channels },
    classes: r.classes,
    classNames: r.classNames,
    counts: { train: r.splits.train.perClass, test: r.splits.test.perClass },
    unlabeled: r.splits.unlabeled?.count ?? null,
    // Pixels plus uint16 labels.
    bytes: splits.reduce((n, s) => n + s.bytes + s.count * 2, 0),
    mean: r.mean,
    std: r.std,
    flipSafe: r.flipSafe,
    sha256: r.sha256,
    createdAt: r.createdAt,
    import: r.import,
    skipped: r.skipped,
    skippedExamples: r.skippedExamples,
    notes: r.notes,
  };
}

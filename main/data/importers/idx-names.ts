// The four files of an MNIST-style idx set, named once for detection, import and opening by
// path. Each is taken plain or gzipped, with the dash or the dotted spelling
// (train-images.idx3-ubyte, as the MNIST .gz files name their member), and the test files as
// t10k-… (LeCun's name) or test-…. A missing file is named as the user must supply it.

export const IDX_ROLES = ['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const;
export type IdxRole = (typeof IDX_ROLES)[number];

export const IDX_FILES: Record<IdxRole, { name: string; pattern: RegExp }> = {
  trainImages: { name: 'train-images-idx3-ubyte', pattern: /^train-images[-.]idx3-ubyte(\.gz)?$/ },
  trainLabels: { name: 'train-labels-idx1-ubyte', pattern: /^train-labels[-.]idx1-ubyte(\.gz)?$/ },
  testImages: { name: 't10k-images-idx3-ubyte', pattern: /^(t10k|test)-images[-.]idx3-ubyte(\.gz)?$/ },
  testLabels: { name: 't10k-labels-idx1-ubyte', pattern: /^(t10k|test)-labels[-.]idx1-ubyte(\.gz)?$/ },
};

export interface IdxPick {
  /** The file name (of `names`) for each role that has one. */
  found: Partial<Record<IdxRole, string>>;
  missing: IdxRole[];
}

/** Which file plays each role; of several candidates the first in byte order (plain before .gz, t10k before test). */
export function pickIdxFiles(names: readonly string[]): IdxPick {
  const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const found: Partial<Record<IdxRole, string>> = {};
  const missing: IdxRole[] = [];
  for (const role of IDX_ROLES) {
    const hit = sorted.find((n) => IDX_FILES[role].pattern.test(n));
    if (hit) found[role] = hit;
    else missing.push(role);
  }
  return { found, missing };
}

/** "train-labels-idx1-ubyte (or train-labels-idx1-ubyte.gz) is missing", for the first missing file, with the others that are. */
export function idxMissingReason(missing: readonly IdxRole[]): string {
  const names = missing.map((r) => IDX_FILES[r].name);
  const first = `${names[0]} (or ${names[0]}.gz) is missing`;
  const also = names.length > 1 ? `, and so ${names.length === 2 ? 'is' : 'are'} ${names.slice(1).join(', ')}` : '';
  return `${first}${also}: an idx set needs ${IDX_ROLES.map((r) => IDX_FILES[r].name).join(', ')}, each plain or .gz`;
}

// Which format a tree holds and where, from file names alone: the distributions' own names
// (train-images-idx3-ubyte, data_batch_1.bin, train.bin, train_X.bin, train_data_batch_1.npz)
// in the top folder or up to three levels down (tarballs wrap everything in one folder);
// anything else with image files in subfolders is an image folder.
import { EffconvError } from '../../contract/errors';
import type { SourceFormat } from '../library/record';
import type { FileTree } from '../sources/tree';

export interface Detected {
  format: SourceFormat;
  /** The folder inside the tree that holds the files ('' = the top). */
  root: string;
}

const SIGNATURES: { format: Exclude<SourceFormat, 'image-folder' | 'imagenet32'>; all: RegExp[]; what: string }[] = [
  { format: 'idx', all: [/^train-images[-.]idx3-ubyte(\.gz)?$/, /^(t10k|test)-images[-.]idx3-ubyte(\.gz)?$/], what: 'train-images-idx3-ubyte[.gz] and t10k-images-idx3-ubyte[.gz]' },
  // Only the test pair (a fraction is held out at import).
  { format: 'idx', all: [/^(t10k|test)-images[-.]idx3-ubyte(\.gz)?$/, /^(t10k|test)-labels[-.]idx1-ubyte(\.gz)?$/], what: 't10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]' },
  { format: 'cifar10', all: [/^data_batch_\d+\.bin(\.gz)?$/, /^test_batch\.bin(\.gz)?$/], what: 'data_batch_N.bin and test_batch.bin' },
  { format: 'cifar100', all: [/^train\.bin(\.gz)?$/, /^test\.bin(\.gz)?$/], what: 'train.bin and test.bin' },
  { format: 'stl10', all: [/^train_X\.bin$/, /^train_y\.bin$/], what: 'train_X.bin and train_y.bin' },
];

export const NPZ_BATCH = /^(train_data_batch_\d+|val_data)\.npz$/;
export const IMAGE_EXTENSION = /\.(jpe?g|png|webp|gif|tiff?|avif|heic|heif|bmp)$/i;

const dirOf = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const baseOf = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
const depth = (d: string): number => (d === '' ? 0 : d.split('/').length);

function commonDir(dirs: string[]): string {
  let parts = dirs[0].split('/');
  for (const d of dirs.slice(1)) {
    const q = d.split('/');
    let i = 0;
    while (i < parts.length && i < q.length && parts[i] === q[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.filter(Boolean).join('/');
}

/** The folder whose subfolders are the classes (or the train/test splits): descend through wrapper folders. */
export function imageFolderRoot(tree: FileTree): string | null {
  let root = '';
  for (let level = 0; level < 4; level++) {
    const prefix = root ? root + '/' : '';
    const children = new Set<string>();
    let directImages = 0;
    for (const e of tree.entries) {
      if (!e.path.startsWith(prefix)) continue;
      const rest = e.path.slice(prefix.length);
      if (rest.includes('/')) children.add(rest.slice(0, rest.indexOf('/')));
      else if (IMAGE_EXTENSION.test(rest)) directImages += 1;
    }
    if (children.size === 0) return null;
    if (children.size === 1 && directImages === 0) {
      const only = [...children][0];
      const below = tree.entries.some((e) => e.path.startsWith(`${prefix}${only}/`) && e.path.slice(prefix.length + only.length + 1).includes('/'));
      // A single wrapper folder whose own files are images is a one-class set: stop above it.
      if (below) {
        root = prefix + only;
        continue;
      }
    }
    return root;
  }
  return root;
}

export function detectFormat(tree: FileTree, forced?: SourceFormat): Detected {
  const byDir = new Map<string, Set<string>>();
  for (const e of tree.entries) {
    const d = dirOf(e.path);
    if (depth(d) > 3) continue;
    if (!byDir.has(d)) byDir.set(d, new Set());
    byDir.get(d)!.add(baseOf(e.path));
  }
  const found: Detected[] = [];
  for (const sig of SIGNATURES) {
    if (forced && forced !== sig.format) continue;
    for (const [dir, names] of byDir) {
      const seen = found.some((f) => f.format === sig.format && f.root === dir);
      if (!seen && sig.all.every((re) => [...names].some((n) => re.test(n)))) found.push({ format: sig.format, root: dir });
    }
  }
  if (!forced || forced === 'imagenet32') {
    const npz = tree.entries.filter((e) => depth(dirOf(e.path)) <= 3 && (NPZ_BATCH.test(baseOf(e.path)) || (tree.entries.length === 1 && e.path.endsWith('.npz'))));
    if (npz.length > 0) found.push({ format: 'imagenet32', root: commonDir(npz.map((e) => dirOf(e.path))) });
  }
  if (found.length > 1) {
    const list = found.map((f) => `${f.format} in ${f.root || '.'}`).join(', ');
    throw new EffconvError('INVALID_ARGUMENT', `${tree.source} holds more than one data set (${list}): give the folder of one${forced ? '' : ', or --format'}`, tree.source);
  }
  if (found.length === 1) return found[0];
  if (forced && forced !== 'image-folder') {
    const sig = SIGNATURES.find((s) => s.format === forced);
    const what = sig ? sig.what : 'train_data_batch_N.npz or val_data.npz';
    throw new EffconvError('DATASET_NOT_FOUND', `${tree.source}: no ${forced} files (looked for ${what})`, tree.source);
  }
  const root = imageFolderRoot(tree);
  if (root === null || !tree.entries.some((e) => IMAGE_EXTENSION.test(e.path))) {
    throw new EffconvError(
      'DATASET_NOT_FOUND',
      `${tree.source}: no data set found (looked for MNIST idx, CIFAR-10/100 binary, STL-10 binary, ImageNet-32 npz files, or class subfolders of images)`,
      tree.source,
    );
  }
  return { format: 'image-folder', root };
}

// The data sets `effconv dataset download` fetches: official URLs and the checksums their
// publishers (or the libraries that check them) publish. MD5 and size from the publisher or
// torchvision (torchvision/datasets/mnist.py, stl10.py; the CIFAR page lists the binary versions'
// MD5s); SHA-256 and size from TFDS's url_checksums (mnist.txt, fashion_mnist.txt, cifar10.txt,
// cifar100.txt, stl10.txt). Nothing here is computed by us: a file must match all of them.
import { EffconvError } from '../../contract/errors';
import type { ImportOptions } from '../library/import-context';

export interface RegistryFile {
  name: string;
  bytes: number;
  md5: string;
  /** Where a SHA-256 is published; the MD5 and the size are checked either way. */
  sha256?: string;
}

export interface RegistryEntry {
  kind: 'download';
  name: string;
  title: string;
  homepage: string;
  licence: string;
  /** Base URLs tried in order; each file is base + file name (so a mirror holds the same names). */
  mirrors: string[];
  files: RegistryFile[];
  /** What is imported: the download folder (idx files) or the one archive. */
  importFrom: 'folder' | 'archive';
  import: ImportOptions & { name: string };
  images: { train: number; test: number; height: number; width: number; channels: number };
}

/** A data set whose publisher requires a login: the steps to get it, and the import after. */
export interface ManualEntry {
  kind: 'manual';
  name: string;
  title: string;
  homepage: string;
  steps: string[];
}

export type Registry = readonly (RegistryEntry | ManualEntry)[];

const files = (rows: [name: string, bytes: number, md5: string, sha256: string][]): RegistryFile[] =>
  rows.map(([name, bytes, md5, sha256]) => ({ name, bytes, md5, sha256 }));

export const DATASET_REGISTRY: Registry = [
  {
    kind: 'download',
    name: 'mnist',
    title: 'MNIST handwritten digits',
    homepage: 'http://yann.lecun.com/exdb/mnist/',
    licence: 'CC BY-SA 3.0 (Yann LeCun, Corinna Cortes)',
    // torchvision's mirror first (LeCun's own server refuses many clients), then TFDS's.
    mirrors: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'https://storage.googleapis.com/cvdf-datasets/mnist/', 'http://yann.lecun.com/exdb/mnist/'],
    files: files([
      ['train-images-idx3-ubyte.gz', 9_912_422, 'f68b3c2dcbeaaa9fbdd348bbdeb94873', '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609'],
      ['train-labels-idx1-ubyte.gz', 28_881, 'd53e105ee54ea40749a09fcbcd1e9432', '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c'],
      ['t10k-images-idx3-ubyte.gz', 1_648_877, '9fb629c4189551a2d022fa330f9573f3', '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6'],
      ['t10k-labels-idx1-ubyte.gz', 4_542, 'ec29112dd5afa0611ce80d1b7f02629c', 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6'],
    ]),
    importFrom: 'folder',
    import: { name: 'mnist' },
    images: { train: 60_000, test: 10_000, height: 28, width: 28, channels: 1 },
  },
  {
    kind: 'download',
    name: 'fashion-mnist',
    title: 'Fashion-MNIST (Zalando article images)',
    homepage: 'https://github.com/zalandoresearch/fashion-mnist',
    licence: 'MIT (Zalando SE)',
    mirrors: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
    files: files([
      ['train-images-idx3-ubyte.gz', 26_421_880, '8d4fb7e6c68d591d4c3dfef9ec88bf0d', '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84'],
      ['train-labels-idx1-ubyte.gz', 29_515, '25c81989df183df01b3e8a0aad5dffbe', 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845'],
      ['t10k-images-idx3-ubyte.gz', 4_422_102, 'bef4ecab320f06d8554ea6380940ec79', '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073'],
      ['t10k-labels-idx1-ubyte.gz', 5_148, 'bb300cfdad3c16e7a12a480ee83cd310', '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5'],
    ]),
    importFrom: 'folder',
    import: { name: 'fashion-mnist' },
    images: { train: 60_000, test: 10_000, height: 28, width: 28, channels: 1 },
  },
  {
    kind: 'download',
    name: 'cifar-10',
    title: 'CIFAR-10 (binary version)',
    homepage: 'https://www.cs.toronto.edu/~kriz/cifar.html',
    licence: 'no licence stated; cite Krizhevsky, Learning Multiple Layers of Features from Tiny Images, 2009',
    mirrors: ['https://www.cs.toronto.edu/~kriz/'],
    files: [{ name: 'cifar-10-binary.tar.gz', bytes: 170_052_171, md5: 'c32a1d4ab5d03f1284b67883e8d87530', sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd' }],
    importFrom: 'archive',
    import: { name: 'cifar-10' },
    images: { train: 50_000, test: 10_000, height: 32, width: 32, channels: 3 },
  },
  {
    kind: 'download',
    name: 'cifar-100',
    title: 'CIFAR-100 (binary version, 100 fine classes)',
    homepage: 'https://www.cs.toronto.edu/~kriz/cifar.html',
    licence: 'no licence stated; cite Krizhevsky, Learning Multiple Layers of Features from Tiny Images, 2009',
    mirrors: ['https://www.cs.toronto.edu/~kriz/'],
    files: [{ name: 'cifar-100-binary.tar.gz', bytes: 168_513_733, md5: '03b5dce01913d631647c71ecec9e9cb8', sha256: '58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec' }],
    importFrom: 'archive',
    import: { name: 'cifar-100' },
    images: { train: 50_000, test: 10_000, height: 32, width: 32, channels: 3 },
  },
  {
    kind: 'download',
    name: 'stl-10',
    title: 'STL-10 (binary version, 96×96; the unlabeled split is left out)',
    homepage: 'https://cs.stanford.edu/~acoates/stl10/',
    licence: 'no licence stated; cite Coates, Lee, Ng, AISTATS 2011',
    mirrors: ['http://ai.stanford.edu/~acoates/stl10/'],
    files: [{ name: 'stl10_binary.tar.gz', bytes: 2_640_397_119, md5: '91f7769df0f17e558f3565bffb0c7dfb', sha256: 'f31fd99273a1acb8609c8db427cebb1de3f71de77758cdc0e22956e1289b9866' }],
    importFrom: 'archive',
    import: { name: 'stl-10' },
    images: { train: 5_000, test: 8_000, height: 96, width: 96, channels: 3 },
  },
  {
    kind: 'manual',
    name: 'imagenet32',
    title: 'Downsampled ImageNet 32×32 (1,281,167 train / 50,000 val)',
    homepage: 'https://image-net.org/download-images.php',
    steps: [
      'ImageNet-32 is only given to registered users: sign in (or register) at https://image-net.org/download-images.php and accept the terms of access.',
      'Under "Download downsampled image data (32x32, 64x64)", download Imagenet32_train_npz.zip (about 3 GB) and Imagenet32_val_npz.zip.',
      'Unzip both into one folder (it then holds train_data_batch_1.npz … train_data_batch_10.npz and val_data.npz); map_clsloc.txt beside them gives class names.',
      'Import that folder: effconv dataset import FOLDER (it becomes "imagenet-32"; about 4.1 GB in the library).',
    ],
  },
];

/** Names match without case, spaces, "-" or "_" (cifar10, CIFAR-10 and cifar_10 are one). */
const key = (name: string): string => name.toLowerCase().replace(/[\s_-]+/g, '');

export function findRegistryEntry(registry: Registry, name: string): RegistryEntry | ManualEntry {
  const e = registry.find((r) => key(r.name) === key(name));
  if (!e) throw new EffconvError('INVALID_ARGUMENT', `no data set "${name}" to download: choose one of ${registry.map((r) => r.name).join(', ')}`, name);
  return e;
}

export const downloadBytes = (e: RegistryEntry): number => e.files.reduce((n, f) => n + f.bytes, 0);

/** What the library will hold after the import (uint8 pixels; labels are 2 bytes an image). */
export const storedBytes = (e: RegistryEntry): number => {
  const { train, test, height, width, channels } = e.images;
  return (train + test) * (height * width * channels + 2);
};

// The data files of the binary formats, as their publishers name them (plain or .gz where the
// format allows it). Detection and the importers read the names from here.
export const CIFAR10_BATCH = /^data_batch_(\d+)\.bin(\.gz)?$/;
export const CIFAR10_TEST = /^test_batch\.bin(\.gz)?$/;
/** The binary CIFAR-10 distribution's training batches: data_batch_1.bin … data_batch_5.bin. */
export const CIFAR10_BATCHES = 5;
export const CIFAR100_TRAIN = /^train\.bin(\.gz)?$/;
export const CIFAR100_TEST = /^test\.bin(\.gz)?$/;
export const STL10_MEMBERS = ['train_X.bin', 'train_y.bin', 'test_X.bin', 'test_y.bin'] as const;

// What a user asks for when starting a run, as every shell passes it to the API.

export type BackendChoice = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export type RunStages = 'both' | 'search' | 'train';

export interface RunOptions {
  /** resnet20 … resnet56, resnetN (6n+2), wrn-D-K. Ignored when `config` is given. */
  backbone: string;
  /** A library name or a path. */
  dataset: string;
  /** Total parameter budget p_d ("0.4M", "400k", 400000). Ignored when `config` is given. */
  budget: string | number;
  stages: RunStages;
  searchEpochs: number;
  trainEpochs: number;
  /** Stage-1 batch size (METHOD.md: the paper's search uses the backbone's; default 64). */
  batchSize: number;
  /** Stage-2 batch size (default 128). */
  trainBatchSize: number;
  seed: number;
  backend: BackendChoice;
  limitTrain?: number;
  limitTest?: number;
  /** Override the augmentation (default: crop pad 4 for ≥32 px, 2 below; flip for natural images). */
  crop?: number;
  flip?: boolean;
  /** Stage 2 from this learned config (its layers and sizes) instead of a search. */
  config?: unknown;
  /** Stage-2 learning rate (default 0.1). */
  lr?: number;
}

export const DEFAULT_RUN_OPTIONS: Omit<RunOptions, 'dataset'> = {
  backbone: 'resnet20',
  budget: 400_000,
  stages: 'both',
  searchEpochs: 10,
  trainEpochs: 200,
  batchSize: 64,
  trainBatchSize: 128,
  seed: 0,
  backend: 'auto',
};

/**
 * The New experiment form's defaults: a first run that finishes in a few minutes on a CPU and
 * still shows the method at work. On the sample (28×28 MNIST digits): ResNet-8 under a 50k budget
 * (its all-3×3 network has 75k) searches one epoch of 4,096 images at batch 32 (128 steps, enough
 * for sizes to move: 3 3 3 3 2 2, 44.3k parameters) and trains three epochs; measured on 2 wasm
 * threads: 50 s of CPU, top-1 90.1% (one search epoch at batch 64 moved no size; 2,048 images
 * reached 68%). DEFAULT_RUN_OPTIONS is the paper's protocol (10 + 200 epochs on every image).
 */
export const QUICK_RUN_OPTIONS: Omit<RunOptions, 'dataset'> = {
  ...DEFAULT_RUN_OPTIONS,
  backbone: 'resnet8',
  budget: 50_000,
  searchEpochs: 1,
  trainEpochs: 3,
  batchSize: 32,
  trainBatchSize: 128,
  limitTrain: 4096,
  limitTest: 1000,
};

export interface RunSummary {
  backend: string;
  device: string;
  dataset: { name: string; sha256: string | null };
  sizes: number[];
  soft: number[] | null;
  params: number;
  budget: number | null;
  top1: number | null;
  top5: number | null;
  searchSecondsPerEpoch: number | null;
  trainSecondsPerEpoch: number | null;
}

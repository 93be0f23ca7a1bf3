// The learned-config file format (effconv.config v1) and the architecture types it names.
// Shared by engine, shells and renderer: no Node, Electron or DOM API here.

export type BackboneFamily = 'resnet' | 'wrn';

export interface BackboneSpec {
  family: BackboneFamily;
  depth: number;
  widen: number;
  /** Output channels of the three stages. */
  widths: [number, number, number];
}

export interface InputShape {
  height: number;
  width: number;
  channels: number;
}

/** One searched convolution (the two spatial convs of every residual block). */
export interface LayerConfig {
  name: string;
  in: number;
  out: number;
  stride: number;
  kernel: number;
  /** The size predictor's soft size v_l at the end of the search, when there was one. */
  soft?: number;
}

export interface SearchHyperparameters {
  k: number;
  tau: number;
  b: number;
  lambda: number;
  spHidden: number;
  kpHidden: number;
  lrSizePredictor: number;
  lrKernelPredictor: number;
  weightDecay: number;
  batchSize: number;
}

/** METHOD.md's stage-1 settings; the renderer reads λ from here for runs without a config yet. */
export const DEFAULT_SEARCH_HYPERPARAMETERS: SearchHyperparameters = {
  k: 3,
  tau: 3,
  b: -0.35,
  lambda: 2,
  spHidden: 64,
  kpHidden: 64,
  lrSizePredictor: 1e-4,
  lrKernelPredictor: 1e-3,
  weightDecay: 1e-3,
  batchSize: 64,
};

export interface SearchRecord {
  hyperparameters: SearchHyperparameters;
  epochs: number;
  steps: number;
  seed: number;
  backend: string;
  secondsPerEpoch: number;
}

export interface TrainRecord {
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  seed: number;
  backend: string;
  secondsPerEpoch: number;
  augment: { crop: number; flip: boolean };
}

/** The stage-2 weights saved beside config.json at the end of training. */
export interface WeightsRecord {
  file: string;
  sha256: string;
  format: 'safetensors';
  /** Engine names and tfjs layouts: conv [kh,kw,in,out], fc [in,out], BN running_mean/running_var. */
  layout: 'effconv-nhwc';
  /** Stage-2 SGD steps taken (PyTorch's BN num_batches_tracked). */
  steps: number;
}

/** What the network expects as input: x = (pixel/255 − mean[c]) / std[c], per channel. */
export interface NormalizationRecord {
  mean: number[];
  std: number[];
}

/** Where the run was computed, for reports (seconds per epoch mean little without it). */
export interface MachineRecord {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** The compute backend's own description ("WebAssembly SIMD, 1 thread", a GPU adapter…). */
  device: string;
}

export interface ConfigDataset {
  name: string;
  sha256: string | null;
  /** What the user named (a library name or a path), as --dataset takes it. */
  source?: string;
  /** Images of each split the run used (after --limit-train / --limit-test). */
  trainImages?: number;
  testImages?: number;
}

export interface EffconvConfig {
  format: 'effconv.config';
  version: 1;
  backbone: BackboneSpec;
  input: InputShape;
  classes: number;
  layers: LayerConfig[];
  params: { total: number; budget: number | null };
  search: SearchRecord | null;
  train?: TrainRecord | null;
  dataset: ConfigDataset | null;
  results: { top1: number | null; top5: number | null } | null;
  normalization?: NormalizationRecord | null;
  /** Set by a run that finished stage 2; absent or null for a search-only config. */
  weights?: WeightsRecord | null;
  machine?: MachineRecord | null;
}

export const CONFIG_FORMAT = 'effconv.config';
export const CONFIG_VERSION = 1;

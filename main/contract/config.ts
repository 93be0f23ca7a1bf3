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
  dataset: { name: string; sha256: string | null } | null;
  results: { top1: number | null; top5: number | null } | null;
}

export const CONFIG_FORMAT = 'effconv.config';
export const CONFIG_VERSION = 1;

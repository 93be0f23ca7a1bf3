// Forward pass of the CIFAR-style ResNet (post-activation, option-A shortcuts) and the
// Wide-ResNet (pre-activation, 1×1 projections). The searched convs' weights come from the
// caller: the kernel predictor in stage 1, plain variables in stage 2.
import * as tf from '@tensorflow/tfjs-core';
import { batchNormInfer, batchNormTrain, type BatchNormActivation, type BatchStats } from '../nn/batchnorm';
import { conv2dSame } from '../nn/conv';
export { crossEntropy } from '../nn/cross-entropy';
import { optionAShortcut } from '../nn/shortcut';
import type { BlockSpec, NetworkSpec } from './backbone';
import type { ParamStore } from './param-store';

export interface ForwardContext {
  training: boolean;
  /** Filled in training mode: each BN's batch statistics, for the running update after the step. */
  stats?: Map<string, BatchStats>;
}

export type ConvWeights = (layerIndex: number) => tf.Tensor4D;

/** BN, then (fused in training where the backend can) the residual add and the ReLU. */
function bn(store: ParamStore, name: string, x: tf.Tensor4D, ctx: ForwardContext, act: BatchNormActivation = {}): tf.Tensor4D {
  const gamma = store.get(`${name}.weight`) as tf.Tensor1D;
  const beta = store.get(`${name}.bias`) as tf.Tensor1D;
  if (!ctx.training) {
    let y = batchNormInfer(x, gamma, beta, store.get(`${name}.running_mean`) as tf.Tensor1D, store.get(`${name}.running_var`) as tf.Tensor1D);
    if (act.residual) y = tf.add(y, act.residual);
    return act.relu ? tf.relu(y) : y;
  }
  const { y, stats } = batchNormTrain(x, gamma, beta, act);
  if (ctx.stats) ctx.stats.set(name, stats);
  else {
    stats.mean.dispose();
    stats.variance.dispose();
  }
  return y;
}

function resnetBlock(store: ParamStore, w: ConvWeights, x: tf.Tensor4D, b: BlockSpec, ctx: ForwardContext): tf.Tensor4D {
  let o = conv2dSame(x, w(b.conv1), b.stride);
  o = bn(store, `${b.name}.bn1`, o, ctx, { relu: true });
  o = conv2dSame(o, w(b.conv2), 1);
  const shortcut = b.shortcut === 'identity' ? x : optionAShortcut(x, b.stride, b.out);
  return bn(store, `${b.name}.bn2`, o, ctx, { residual: shortcut, relu: true });
}

function wrnBlock(store: ParamStore, w: ConvWeights, x: tf.Tensor4D, b: BlockSpec, ctx: ForwardContext): tf.Tensor4D {
  const a = bn(store, `${b.name}.bn1`, x, ctx, { relu: true });
  const shortcut = b.shortcut === 'identity' ? x : conv2dSame(a, store.get(`${b.name}.shortcut.weight`) as tf.Tensor4D, b.stride);
  let o = conv2dSame(a, w(b.conv1), b.stride);
  o = bn(store, `${b.name}.bn2`, o, ctx, { relu: true });
  o = conv2dSame(o, w(b.conv2), 1);
  return tf.add(o, shortcut) as tf.Tensor4D;
}

/** x: [N,H,W,C] normalised images → logits [N, classes]. */
export function forwardCnn(net: NetworkSpec, store: ParamStore, w: ConvWeights, x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D {
  let h = conv2dSame(x, store.get('stem.conv.weight') as tf.Tensor4D, 1);
  if (net.backbone.family === 'resnet') h = bn(store, 'stem.bn', h, ctx, { relu: true });
  for (const b of net.blocks) {
    h = net.backbone.family === 'resnet' ? resnetBlock(store, w, h, b, ctx) : wrnBlock(store, w, h, b, ctx);
  }
  if (net.backbone.family === 'wrn') h = bn(store, 'final.bn', h, ctx, { relu: true });
  const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
  return tf.add(tf.matMul(pooled, store.get('fc.weight') as tf.Tensor2D), store.get('fc.bias')) as tf.Tensor2D;
}

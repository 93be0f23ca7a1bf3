// The forward pass of the engine's networks (models/cnn.ts) as a sequence of named layer
// calls, so each graph exporter (ONNX, TF.js) writes the same network from one description.
// Names follow the config and PyTorch: "stage1.block1.conv1", "stage1.block1.bn1", …
import type { BlockSpec, NetworkSpec } from '../engine/models/backbone';

export interface LayerOps<T> {
  /** A searched or fixed conv whose weight is `${layer}.weight`, with the engine's 'same' padding. */
  conv(x: T, layer: string, stride: number): T;
  /** Inference-mode BN with `${name}.weight/.bias/.running_mean/.running_var`. */
  bn(x: T, name: string): T;
  relu(x: T, name: string): T;
  add(a: T, b: T, name: string): T;
  /** Option-A shortcut of a ResNet block: subsample by its stride, zero-pad the new channels. */
  optionA(x: T, block: BlockSpec): T;
}

/** Stem, blocks and the final BN (WRN); returns the features before global pooling. */
export function walkFeatures<T>(net: NetworkSpec, input: T, ops: LayerOps<T>): T {
  const resnet = net.backbone.family === 'resnet';
  let h = ops.conv(input, 'stem.conv', 1);
  if (resnet) h = ops.relu(ops.bn(h, 'stem.bn'), 'stem.relu');
  for (const b of net.blocks) {
    const p = b.name;
    if (resnet) {
      // post-activation: relu(bn2(conv2(relu(bn1(conv1 x)))) + shortcut x)
      let o = ops.relu(ops.bn(ops.conv(h, `${p}.conv1`, b.stride), `${p}.bn1`), `${p}.relu1`);
      o = ops.bn(ops.conv(o, `${p}.conv2`, 1), `${p}.bn2`);
      const sc = b.shortcut === 'identity' ? h : ops.optionA(h, b);
      h = ops.relu(ops.add(o, sc, `${p}.add`), p);
    } else {
      // pre-activation: a = relu(bn1 x); conv2(relu(bn2(conv1 a))) + (x or projection of a)
      const a = ops.relu(ops.bn(h, `${p}.bn1`), `${p}.relu1`);
      const sc = b.shortcut === 'identity' ? h : ops.conv(a, `${p}.shortcut`, b.stride);
      let o = ops.conv(a, `${p}.conv1`, b.stride);
      o = ops.conv(ops.relu(ops.bn(o, `${p}.bn2`), `${p}.relu2`), `${p}.conv2`, 1);
      h = ops.add(o, sc, p);
    }
  }
  if (!resnet) h = ops.relu(ops.bn(h, 'final.bn'), 'final.relu');
  return h;
}

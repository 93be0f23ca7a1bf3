// Backbone names and the network layout they stand for: which convs are searched, which
// parameters are fixed, and how blocks connect. Pure data; tensors live in cnn.ts.
import type { BackboneSpec, InputShape, LayerConfig } from '../../contract/config';
import { EffconvError } from '../../contract/errors';

export const MIN_KERNEL = 1;
export const MAX_KERNEL = 7;

/** "resnet20" … "resnet56", "resnetN" for N = 6n+2, "wrn-28-1" (WRN-d-k with d = 6n+4). */
export function parseBackbone(name: string): BackboneSpec {
  const s = name.trim().toLowerCase();
  let m = /^resnet-?(\d+)$/.exec(s);
  if (m) {
    const depth = Number(m[1]);
    if (depth < 8 || (depth - 2) % 6 !== 0) {
      throw new EffconvError('BACKBONE_INVALID', `backbone "${name}": ResNet depth must be 6n+2 with n >= 1 (8, 14, 20, 26, 32, …)`, 'backbone');
    }
    return { family: 'resnet', depth, widen: 1, widths: [16, 32, 64] };
  }
  m = /^(?:wrn|wide-?resnet)-?(\d+)-(\d+)$/.exec(s);
  if (m) {
    const depth = Number(m[1]);
    const widen = Number(m[2]);
    if (depth < 10 || (depth - 4) % 6 !== 0) {
      throw new EffconvError('BACKBONE_INVALID', `backbone "${name}": WRN depth must be 6n+4 with n >= 1 (10, 16, 22, 28, …)`, 'backbone');
    }
    if (widen < 1 || widen > 16) {
      throw new EffconvError('BACKBONE_INVALID', `backbone "${name}": widen factor must be 1…16`, 'backbone');
    }
    return { family: 'wrn', depth, widen, widths: [16 * widen, 32 * widen, 64 * widen] };
  }
  throw new EffconvError(
    'BACKBONE_INVALID',
    `unknown backbone "${name}": use resnet20, resnet32, resnet44, resnet56, resnetN (N = 6n+2) or wrn-D-K (D = 6n+4, e.g. wrn-28-1)`,
    'backbone',
  );
}

export function backboneName(b: BackboneSpec): string {
  return b.family === 'resnet' ? `resnet${b.depth}` : `wrn-${b.depth}-${b.widen}`;
}

export function blocksPerStage(b: BackboneSpec): number {
  return b.family === 'resnet' ? (b.depth - 2) / 6 : (b.depth - 4) / 6;
}

export type ShortcutKind = 'identity' | 'optionA' | 'projection';

export interface BlockSpec {
  name: string; // stage1.block1
  conv1: number; // index into layers
  conv2: number;
  in: number;
  out: number;
  stride: number;
  shortcut: ShortcutKind;
}

export interface ParamSpec {
  name: string;
  shape: number[];
}

export interface BatchNormSpec {
  name: string;
  channels: number;
}

export interface NetworkSpec {
  backbone: BackboneSpec;
  input: InputShape;
  classes: number;
  stemOut: number;
  blocks: BlockSpec[];
  /** Searched convs, in forward order; kernel sizes are not part of the layout. */
  layers: Omit<LayerConfig, 'kernel' | 'soft'>[];
  batchNorms: BatchNormSpec[];
  /** Every parameter whose size the search does not change (stem, BN γ/β, projections, FC). */
  fixed: ParamSpec[];
}

export function validateInput(input: InputShape, classes: number): void {
  const { height, width, channels } = input;
  if (![1, 3].includes(channels)) throw new EffconvError('INVALID_ARGUMENT', `input channels must be 1 or 3, got ${channels}`, 'input.channels');
  for (const [field, v] of [['input.height', height], ['input.width', width]] as const) {
    if (!Number.isInteger(v) || v < 8 || v > 256) throw new EffconvError('INVALID_ARGUMENT', `${field} must be an integer 8…256, got ${v}`, field);
  }
  if (!Number.isInteger(classes) || classes < 2 || classes > 100000) {
    throw new EffconvError('INVALID_ARGUMENT', `classes must be an integer >= 2, got ${classes}`, 'classes');
  }
}

export function describeNetwork(backbone: BackboneSpec, input: InputShape, classes: number): NetworkSpec {
  validateInput(input, classes);
  const n = blocksPerStage(backbone);
  const stemOut = 16;
  const blocks: BlockSpec[] = [];
  const layers: NetworkSpec['layers'] = [];
  const batchNorms: BatchNormSpec[] = [];
  const fixed: ParamSpec[] = [{ name: 'stem.conv.weight', shape: [3, 3, input.channels, stemOut] }];
  const addBn = (name: string, channels: number) => {
    batchNorms.push({ name, channels });
    fixed.push({ name: `${name}.weight`, shape: [channels] }, { name: `${name}.bias`, shape: [channels] });
  };
  if (backbone.family === 'resnet') addBn('stem.bn', stemOut);

  let inCh = stemOut;
  for (let stage = 0; stage < 3; stage++) {
    const outCh = backbone.widths[stage];
    for (let b = 0; b < n; b++) {
      const name = `stage${stage + 1}.block${b + 1}`;
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const needsReshape = stride !== 1 || inCh !== outCh;
      const shortcut: ShortcutKind = !needsReshape ? 'identity' : backbone.family === 'resnet' ? 'optionA' : 'projection';
      if (backbone.family === 'wrn') addBn(`${name}.bn1`, inCh);
      const conv1 = layers.length;
      layers.push({ name: `${name}.conv1`, in: inCh, out: outCh, stride });
      if (backbone.family === 'resnet') addBn(`${name}.bn1`, outCh);
      else addBn(`${name}.bn2`, outCh);
      const conv2 = layers.length;
      layers.push({ name: `${name}.conv2`, in: outCh, out: outCh, stride: 1 });
      if (backbone.family === 'resnet') addBn(`${name}.bn2`, outCh);
      if (shortcut === 'projection') fixed.push({ name: `${name}.shortcut.weight`, shape: [1, 1, inCh, outCh] });
      if (shortcut === 'optionA' && outCh < inCh) {
        throw new EffconvError('BACKBONE_INVALID', `option-A shortcut cannot shrink channels (${inCh} -> ${outCh})`, 'backbone.widths');
      }
      blocks.push({ name, conv1, conv2, in: inCh, out: outCh, stride, shortcut });
      inCh = outCh;
    }
  }
  if (backbone.family === 'wrn') addBn('final.bn', inCh);
  fixed.push({ name: 'fc.weight', shape: [inCh, classes] }, { name: 'fc.bias', shape: [classes] });
  return { backbone, input, classes, stemOut, blocks, layers, batchNorms, fixed };
}

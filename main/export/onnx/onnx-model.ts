// ONNX export (opset 13, IR 7): NCHW input "input" [batch, C, H, W] with a named dynamic batch
// axis; outputs "logits" and "probabilities" [batch, classes]. Convs carry the engine's
// 'same' padding as explicit pads; BN stays explicit (runtimes fuse it); option-A shortcuts
// are Slice (stride) + Pad (channels). Initializers use the PyTorch names and layouts.
import { EffconvError } from '../../contract/errors';
import type { BlockSpec } from '../../engine/models/backbone';
import { BN_EPS, BN_MOMENTUM } from '../../engine/nn/batchnorm';
import { walkFeatures, type LayerOps } from '../network-walk';
import { portableConfig, PRODUCER, PRODUCER_VERSION } from '../producer';
import type { ExportSource } from '../run-source';
import { toTorchLayout, type WeightSet } from '../weights';
import { bytes, concat, float32, int, message, string, type Field } from './protobuf';

export const ONNX_OPSET = 13;
const IR_VERSION = 7; // the IR of ONNX 1.8, which introduced opset 13
const FLOAT = 1;
const INT64 = 7;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;
export const BATCH_AXIS = 'batch';

const attrInts = (name: string, v: number[]): Field => message(5, [string(1, name), int(20, ATTR_INTS), ...v.map((x) => int(8, x))]);
const attrInt = (name: string, v: number): Field => message(5, [string(1, name), int(20, ATTR_INT), int(3, v)]);
const attrFloat = (name: string, v: number): Field => message(5, [string(1, name), int(20, ATTR_FLOAT), float32(2, v)]);

function valueInfo(field: number, name: string, dims: (number | string)[]): Field {
  const shape = dims.map((d) => message(1, [typeof d === 'string' ? string(2, d) : int(1, d)]));
  return message(field, [string(1, name), message(2, [message(1, [int(1, FLOAT), message(2, shape)])])]);
}

class GraphBuilder implements LayerOps<string> {
  readonly nodes: Field[] = [];
  readonly initializers: Field[] = [];
  private readonly names = new Set<string>();

  constructor(private readonly weights: WeightSet) {}

  private initializer(name: string, dims: number[], type: number, raw: Uint8Array): string {
    if (this.names.has(name)) return name;
    this.names.add(name);
    this.initializers.push(message(5, [...dims.map((d) => int(1, d)), int(2, type), string(8, name), bytes(9, raw)]));
    return name;
  }

  weight(name: string): string {
    const t = this.weights.get(name);
    if (!t) throw new EffconvError('INTERNAL', `onnx export: no tensor ${name}`);
    return this.initializer(name, t.shape, FLOAT, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }

  int64s(name: string, values: bigint[]): string {
    const data = BigInt64Array.from(values);
    return this.initializer(name, [values.length], INT64, new Uint8Array(data.buffer));
  }

  node(op: string, name: string, inputs: string[], attrs: Field[] = [], output = name): string {
    this.nodes.push(message(1, [...inputs.map((i) => string(1, i)), string(2, output), string(3, name), string(4, op), ...attrs]));
    return output;
  }

  conv(x: string, layer: string, stride: number): string {
    const w = this.weights.get(`${layer}.weight`)!;
    const [, , kh, kw] = w.shape;
    const pads = [(kh - 1) >> 1, (kw - 1) >> 1, kh >> 1, kw >> 1];
    return this.node('Conv', layer, [x, this.weight(`${layer}.weight`)], [
      attrInts('kernel_shape', [kh, kw]), attrInts('strides', [stride, stride]), attrInts('pads', pads), attrInts('dilations', [1, 1]), attrInt('group', 1),
    ]);
  }

  bn(x: string, name: string): string {
    const inputs = ['weight', 'bias', 'running_mean', 'running_var'].map((p) => this.weight(`${name}.${p}`));
    return this.node('BatchNormalization', name, [x, ...inputs], [attrFloat('epsilon', BN_EPS), attrFloat('momentum', 1 - BN_MOMENTUM)]);
  }

  relu(x: string, name: string): string {
    return this.node('Relu', name, [x]);
  }

  add(a: string, b: string, name: string): string {
    return this.node('Add', name, [a, b]);
  }

  optionA(x: string, b: BlockSpec): string {
    let y = x;
    if (b.stride > 1) {
      const big = 2n ** 63n - 1n;
      y = this.node('Slice', `${b.name}.shortcut.subsample`, [
        x, this.int64s('optionA.starts', [0n, 0n]), this.int64s('optionA.ends', [big, big]), this.int64s('optionA.axes', [2n, 3n]),
        this.int64s(`optionA.steps${b.stride}`, [BigInt(b.stride), BigInt(b.stride)]),
      ]);
    }
    const extra = b.out - b.in;
    if (extra === 0) return y;
    const before = BigInt(extra >> 1);
    const after = BigInt(extra) - before;
    // pads = [begin of N, C, H, W, end of N, C, H, W]
    return this.node('Pad', `${b.name}.shortcut.pad`, [y, this.int64s(`optionA.pads${b.in}to${b.out}`, [0n, before, 0n, 0n, 0n, after, 0n, 0n])], [], `${b.name}.shortcut`);
  }
}

function buildGraph(src: ExportSource, g: GraphBuilder): void {
  const h = walkFeatures(src.net, 'input', g);
  const pooled = g.node('Flatten', 'flatten', [g.node('GlobalAveragePool', 'pool', [h])], [attrInt('axis', 1)]);
  const logits = g.node('Gemm', 'fc', [pooled, g.weight('fc.weight'), g.weight('fc.bias')], [attrInt('transB', 1)], 'logits');
  g.node('Softmax', 'softmax', [logits], [attrInt('axis', 1)], 'probabilities');
}

export function encodeOnnx(src: ExportSource): Uint8Array {
  const { net, config } = src;
  const g = new GraphBuilder(toTorchLayout(src.weights));
  buildGraph(src, g);
  const { channels, height, width } = net.input;
  const graph = [
    ...g.nodes,
    string(2, `effconv_${config.backbone.family}${config.backbone.depth}`),
    ...g.initializers,
    string(10, `Learned kernel sizes ${config.layers.map((l) => l.kernel).join(' ')}; ${src.weightsNote}`),
    valueInfo(11, 'input', [BATCH_AXIS, channels, height, width]),
    valueInfo(12, 'logits', [BATCH_AXIS, net.classes]),
    valueInfo(12, 'probabilities', [BATCH_AXIS, net.classes]),
  ];
  const meta: [string, string][] = [
    ['effconv.trained', String(src.trained)],
    ['effconv.weights', src.weightsNote],
    ['effconv.input', `NCHW float32, x = (pixel/255 - mean[c]) / std[c]`],
    ['effconv.normalization', JSON.stringify(config.normalization ?? null)],
    ['effconv.config', JSON.stringify(portableConfig(config))],
  ];
  return concat([
    int(1, IR_VERSION),
    string(2, PRODUCER),
    string(3, PRODUCER_VERSION),
    string(6, `EffConv ${config.backbone.family}-${config.backbone.depth}: ${config.params.total} parameters. ${src.weightsNote}`),
    message(7, graph),
    message(8, [string(1, ''), int(2, ONNX_OPSET)]),
    ...meta.map(([k, v]) => message(14, [string(1, k), string(2, v)])),
  ]);
}

// The safetensors writer and reader: byte layout against a hand-built file, round trips, and
// damaged files (cut or altered copies of a real export) refused with the reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSafetensors, encodeSafetensors } from '../../main/export/safetensors';
import { describeNetwork, parseBackbone } from '../../main/engine/models/backbone';
import { encodeEngineWeights, freshWeights } from '../../main/export/weights';

test('the layout is the reference one: u64 LE header length, space-padded JSON, LE data in order', () => {
  const bytes = encodeSafetensors([
    ['a', { dtype: 'F32', shape: [2], data: Float32Array.of(1, -2) }],
    ['n', { dtype: 'I64', shape: [], data: BigInt64Array.of(3n) }],
  ]);
  const json = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"n":{"dtype":"I64","shape":[],"data_offsets":[8,16]}}';
  const padded = json + ' '.repeat(5); // 107 characters, padded to 112
  assert.equal(json.length, 107);
  assert.deepEqual([...bytes.subarray(0, 8)], [112, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(Buffer.from(bytes.subarray(8, 120)).toString('utf8'), padded);
  // 1.0f = 0x3f800000, -2.0f = 0xc0000000, 3 as int64, all little-endian
  assert.deepEqual([...bytes.subarray(120)], [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 3, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(bytes.length, 136);
});

test('round trip keeps names, shapes, values, dtypes and metadata', () => {
  const w = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i) * 1e3);
  const bytes = encodeSafetensors([
    ['conv.weight', { dtype: 'F32', shape: [2, 3, 2, 2], data: w }],
    ['bn.num_batches_tracked', { dtype: 'I64', shape: [], data: BigInt64Array.of(-5n) }],
    ['empty', { dtype: 'F32', shape: [0], data: new Float32Array(0) }],
  ], { format: 'pt', note: 'ünïcode ok' });
  const back = decodeSafetensors(bytes, 'x.safetensors');
  assert.deepEqual(back.metadata, { format: 'pt', note: 'ünïcode ok' });
  assert.deepEqual([...back.tensors.keys()], ['conv.weight', 'bn.num_batches_tracked', 'empty']);
  const conv = back.tensors.get('conv.weight')!;
  assert.deepEqual(conv.shape, [2, 3, 2, 2]);
  assert.deepEqual(conv.data, w);
  assert.deepEqual(back.tensors.get('bn.num_batches_tracked')!.data, BigInt64Array.of(-5n));
});

async function realFile(): Promise<Uint8Array> {
  const net = describeNetwork(parseBackbone('resnet8'), { height: 28, width: 28, channels: 1 }, 10);
  return encodeEngineWeights(await freshWeights(net, [2, 5, 3, 4, 1, 7], 1), 0);
}

test('a cut file is refused as truncated, naming the file', async () => {
  const bytes = await realFile();
  assert.throws(() => decodeSafetensors(bytes.subarray(0, bytes.length - 100), 'cut.safetensors'), {
    code: 'WEIGHTS_INVALID', message: /cut\.safetensors: not a valid safetensors file: the tensors cover \d+ bytes but the data section has \d+ \(truncated or padded\)/,
  });
  assert.throws(() => decodeSafetensors(bytes.subarray(0, 500), 'cut.safetensors'), { message: /header length \d+ exceeds the file \(500 bytes; truncated\?\)/ });
  assert.throws(() => decodeSafetensors(bytes.subarray(0, 5), 'cut.safetensors'), { message: /5 bytes, shorter than the 8-byte header length/ });
});

test('altered headers are refused with the tensor and the reason', async () => {
  const bytes = await realFile();
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString()) as Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>;
  const rebuild = (h: object) => {
    const json = Buffer.from(JSON.stringify(h));
    const out = new Uint8Array(8 + json.length + bytes.length - 8 - n);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    out.set(bytes.subarray(8 + n), 8 + json.length);
    return out;
  };
  const f16 = structuredClone(header);
  f16['fc.bias'].dtype = 'F16';
  assert.throws(() => decodeSafetensors(rebuild(f16), 'f.safetensors'), { message: /fc\.bias: dtype "F16" is not supported/ });
  const shape = structuredClone(header);
  shape['fc.bias'].shape = [11];
  assert.throws(() => decodeSafetensors(rebuild(shape), 'f.safetensors'), { message: /fc\.bias: 40 bytes for shape \[11\] F32/ });
  const overlap = structuredClone(header);
  const [a, b] = overlap['stem.conv.weight'].data_offsets;
  overlap['stem.conv.weight'].data_offsets = [a + 4, b + 4];
  assert.throws(() => decodeSafetensors(rebuild(overlap), 'f.safetensors'), { message: /overlap or hole/ });
  assert.throws(() => decodeSafetensors(Uint8Array.from([...bytes.subarray(0, 8), ...Buffer.from('not json'.padEnd(n, ' ')), ...bytes.subarray(8 + n)]), 'f.safetensors'), {
    message: /header is not JSON/,
  });
});

// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a
// JSON header {name: {dtype, shape, data_offsets}, __metadata__: {str: str}}, then the raw
// little-endian tensor bytes, contiguous and in header order. Only F32 and I64 are needed here.
import { endianness } from 'node:os';
import { EffconvError } from '../contract/errors';

export type SafeTensor =
  | { dtype: 'F32'; shape: number[]; data: Float32Array }
  | { dtype: 'I64'; shape: number[]; data: BigInt64Array };

export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

const BYTES = { F32: 4, I64: 8 } as const;
/** The reference implementation refuses headers above 100 MB; so do we. */
const MAX_HEADER = 100_000_000;

function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new EffconvError('INTERNAL', 'safetensors: big-endian hosts are not supported');
}

function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Encode tensors in the given order; the header is padded with spaces to 8 bytes, as the reference writer does. */
export function encodeSafetensors(tensors: Iterable<[string, SafeTensor]>, metadata: Record<string, string> = {}): Uint8Array {
  assertLittleEndian();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__' || name in header) throw new EffconvError('INTERNAL', `safetensors: tensor name "${name}" used twice or reserved`);
    if (t.data.length !== elementCount(t.shape)) throw new EffconvError('INTERNAL', `safetensors: ${name} has ${t.data.length} values for shape [${t.shape}]`);
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  const json = JSON.stringify(header);
  const head = Buffer.from(json + ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8), 'utf8');
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function malformed(file: string, reason: string): EffconvError {
  return new EffconvError('WEIGHTS_INVALID', `${file}: not a valid safetensors file: ${reason}`, file);
}

/** Decode and validate: offsets in bounds, contiguous, no holes, sizes matching shapes. */
export function decodeSafetensors(bytes: Uint8Array, file: string): SafetensorsFile {
  assertLittleEndian();
  if (bytes.length < 8) throw malformed(file, `${bytes.length} bytes, shorter than the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER) || Number(n) > bytes.length - 8) throw malformed(file, `header length ${n} exceeds the file (${bytes.length} bytes; truncated?)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + Number(n))).toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw malformed(file, `header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw malformed(file, 'header is not a JSON object');
  const base = 8 + Number(n);
  const dataLength = bytes.length - base;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: 'F32' | 'I64'; shape: number[]; start: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      for (const [k, v] of Object.entries((info ?? {}) as Record<string, unknown>)) {
        if (typeof v !== 'string') throw malformed(file, `__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (t.dtype !== 'F32' && t.dtype !== 'I64') throw malformed(file, `${name}: dtype ${JSON.stringify(t.dtype)} is not supported (F32, I64)`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) throw malformed(file, `${name}: bad shape ${JSON.stringify(t.shape)}`);
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0) || off[1] < off[0]) {
      throw malformed(file, `${name}: bad data_offsets ${JSON.stringify(off)}`);
    }
    if (off[1] - off[0] !== elementCount(t.shape as number[]) * BYTES[t.dtype]) throw malformed(file, `${name}: ${off[1] - off[0]} bytes for shape [${t.shape}] ${t.dtype}`);
    entries.push({ name, dtype: t.dtype, shape: t.shape as number[], start: off[0], end: off[1] });
  }
  entries.sort((a, b) => a.start - b.start);
  let expected = 0;
  for (const e of entries) {
    if (e.start !== expected) throw malformed(file, `${e.name}: data starts at ${e.start}, expected ${expected} (overlap or hole)`);
    expected = e.end;
  }
  if (expected !== dataLength) throw malformed(file, `the tensors cover ${expected} bytes but the data section has ${dataLength} (truncated or padded)`);
  const tensors = new Map<string, SafeTensor>();
  for (const e of entries) {
    // Copy (a Buffer's slice would share memory): the data need not be aligned for a typed view.
    const copy = new Uint8Array(e.end - e.start);
    copy.set(bytes.subarray(base + e.start, base + e.end));
    const buf = copy.buffer;
    tensors.set(e.name, e.dtype === 'F32' ? { dtype: 'F32', shape: e.shape, data: new Float32Array(buf) } : { dtype: 'I64', shape: e.shape, data: new BigInt64Array(buf) });
  }
  return { tensors, metadata };
}

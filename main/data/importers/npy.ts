// NumPy .npy arrays (what an .npz holds, one per key): the "\x93NUMPY" magic, a version
// (1.0: 2-byte header length; 2.0 and 3.0: 4 bytes, 3.0 UTF-8), then a Python dict literal
// {'descr': '<i8', 'fortran_order': False, 'shape': (N, 3072), } and the raw data.
import { malformed } from '../malformed';
import { ChunkReader } from '../sources/chunk-reader';

export interface NpyHeader {
  /** e.g. '|u1', '<i8' */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Bytes before the data (magic, version, length and the dict). */
  dataOffset: number;
  kind: 'u' | 'i' | 'f' | 'b';
  itemSize: number;
  littleEndian: boolean;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

export function parseNpyDict(text: string, dataOffset: number, where: string): NpyHeader {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw malformed(where, `.npy header is not a plain array description: ${text.trim().slice(0, 120)}`);
  }
  const shape = shapeText.split(',').map((s) => s.trim().replace(/L$/, '')).filter((s) => s !== '').map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw malformed(where, `bad shape (${shapeText})`);
  const m = /^([<>|=])([uifb])(\d+)$/.exec(descr);
  if (!m) throw malformed(where, `dtype '${descr}' is not supported (unsigned/signed integers and floats are)`);
  return {
    descr, fortranOrder: fortran === 'True', shape, dataOffset,
    kind: m[2] as NpyHeader['kind'], itemSize: Number(m[3]), littleEndian: m[1] !== '>',
  };
}

/** Read the header off the front of a chunk stream; the reader is left at the first data byte. */
export async function readNpyHeader(reader: ChunkReader, where: string): Promise<NpyHeader> {
  const first = await reader.exactly(10);
  if (first === null || first.length < 10) throw malformed(where, 'empty or truncated .npy array');
  if (!first.subarray(0, 6).equals(MAGIC)) throw malformed(where, 'not a .npy array (bad magic number, expected "\\x93NUMPY")');
  const major = first[6];
  let start = 10;
  let headerLength: number;
  if (major === 1) headerLength = first.readUInt16LE(8);
  else if (major === 2 || major === 3) {
    const more = await reader.exactly(2);
    if (more === null || more.length < 2) throw malformed(where, 'truncated .npy header');
    headerLength = Buffer.concat([first.subarray(8), more]).readUInt32LE(0);
    start = 12;
  } else throw malformed(where, `.npy format version ${major}.${first[7]} is not supported (1.0, 2.0 and 3.0 are)`);
  const dict = await reader.exactly(headerLength);
  if (dict === null || dict.length < headerLength) throw malformed(where, 'truncated .npy header');
  return parseNpyDict(dict.toString(major === 3 ? 'utf8' : 'latin1'), start + headerLength, where);
}

export function elementCount(h: NpyHeader): number {
  return h.shape.reduce((a, b) => a * b, 1);
}

/** Integer array values (labels) as numbers, for any integer dtype and byte order. */
export function decodeIntegers(h: NpyHeader, data: Buffer, where: string): Float64Array {
  if (h.kind !== 'u' && h.kind !== 'i' && h.kind !== 'b') throw malformed(where, `expected integers, the dtype is '${h.descr}'`);
  const n = elementCount(h);
  if (data.length < n * h.itemSize) throw malformed(where, `truncated: shape (${h.shape.join(', ')}) needs ${n * h.itemSize} bytes of data, there are ${data.length}`);
  const out = new Float64Array(n);
  const le = h.littleEndian;
  const signed = h.kind === 'i';
  for (let i = 0; i < n; i++) {
    const o = i * h.itemSize;
    switch (h.itemSize) {
      case 1: out[i] = signed ? data.readInt8(o) : data[o]; break;
      case 2: out[i] = signed ? (le ? data.readInt16LE(o) : data.readInt16BE(o)) : le ? data.readUInt16LE(o) : data.readUInt16BE(o); break;
      case 4: out[i] = signed ? (le ? data.readInt32LE(o) : data.readInt32BE(o)) : le ? data.readUInt32LE(o) : data.readUInt32BE(o); break;
      case 8: out[i] = Number(signed ? (le ? data.readBigInt64LE(o) : data.readBigInt64BE(o)) : le ? data.readBigUInt64LE(o) : data.readBigUInt64BE(o)); break;
      default: throw malformed(where, `integer size ${h.itemSize} is not supported`);
    }
  }
  return out;
}

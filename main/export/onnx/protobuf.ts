// A minimal protocol-buffers writer, enough for ONNX's ModelProto: varints, 32-bit floats,
// length-delimited strings, bytes and nested messages. A message is a list of encoded fields.

const enc = new TextEncoder();

export type Field = Uint8Array;

function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value)); // negative int64 → two's complement, 10 bytes
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

function tag(field: number, wire: 0 | 2 | 5): number[] {
  return varint((field << 3) | wire);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** int32, int64 and enum fields (wire type 0). */
export function int(field: number, value: number | bigint): Field {
  return Uint8Array.from([...tag(field, 0), ...varint(value)]);
}

/** float fields (wire type 5, little-endian). */
export function float32(field: number, value: number): Field {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, value, true);
  return Uint8Array.from([...tag(field, 5), ...b]);
}

export function bytes(field: number, data: Uint8Array): Field {
  return concat([Uint8Array.from([...tag(field, 2), ...varint(data.length)]), data]);
}

export function string(field: number, s: string): Field {
  return bytes(field, enc.encode(s));
}

/** A nested message from its fields. */
export function message(field: number, fields: readonly Field[]): Field {
  return bytes(field, concat(fields));
}

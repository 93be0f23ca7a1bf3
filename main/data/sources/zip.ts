// A zip reader over a file with random access (what .npz files and zipped image folders are).
// The central directory gives every entry's name, method and sizes, zip64 included (numpy
// writes zip64 fields even for small arrays); data is read stored or inflated, CRC-checked.
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { crc32, createInflateRaw, inflateRawSync } from 'node:zlib';
import { fromSystemError, isSystemError, withSystemErrors } from '../../common/system-errors';
import { malformed } from '../malformed';

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  /** The Unix mode (file type and permissions) when a Unix zip wrote the entry. */
  unixMode?: number;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX32 = 0xffffffff;

export class ZipFile {
  private fd: number | null;

  private constructor(
    readonly path: string,
    /** How messages name the file: the user's path (an npz extracted from a tar is read from a scratch copy). */
    readonly label: string,
    fd: number,
    readonly entries: readonly ZipEntry[],
  ) {
    this.fd = fd;
  }

  static open(path: string, label = path): ZipFile {
    const fd = openSync(path, 'r');
    try {
      return new ZipFile(path, label, fd, readCentralDirectory(label, fd));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  find(name: string): ZipEntry | undefined {
    return this.entries.find((e) => e.name === name);
  }

  private read(offset: number, length: number): Buffer {
    if (this.fd === null) throw new Error(`${this.path}: zip file is closed`);
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = withSystemErrors({ action: 'read', path: this.label, role: 'source' }, () => readSync(this.fd!, buf, got, length - got, offset + got));
      if (n === 0) throw malformed(this.label, `truncated: entry data ends at byte ${offset + got} of the file`);
      got += n;
    }
    return buf;
  }

  /** Where the entry's (compressed) bytes start: after its local header, whose extra field may differ from the central one. */
  dataOffset(e: ZipEntry): number {
    const h = this.read(e.localOffset, 30);
    if (h.readUInt32LE(0) !== LOCAL) throw malformed(this.label, `entry "${e.name}": no local header at offset ${e.localOffset}`);
    return e.localOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  }

  private checkSupported(e: ZipEntry): void {
    if (e.flags & 1) throw malformed(this.label, `entry "${e.name}" is encrypted`);
    if (e.method !== 0 && e.method !== 8) throw malformed(this.label, `entry "${e.name}" uses compression method ${e.method} (only stored and deflate are supported)`);
  }

  /** The whole entry, inflated and CRC-checked. For entries that fit in memory. */
  readEntry(e: ZipEntry): Buffer {
    this.checkSupported(e);
    const start = this.dataOffset(e);
    const fileSize = withSystemErrors({ action: 'read', path: this.label, role: 'source' }, () => fstatSync(this.fd!).size);
    if (start + e.compressedSize > fileSize) throw malformed(this.label, `entry "${e.name}": truncated (its ${e.compressedSize} bytes would end past the end of the ${fileSize}-byte file)`);
    const raw = this.read(start, e.compressedSize);
    let data: Buffer;
    try {
      // Never inflate past the size the directory promises (a damaged or hostile entry could be a zip bomb).
      data = e.method === 0 ? raw : inflateRawSync(raw, { maxOutputLength: e.size + 1 });
    } catch (err) {
      throw malformed(this.label, `entry "${e.name}": deflate data is corrupt (${(err as Error).message})`);
    }
    this.verify(e, data.length, crc32(data));
    return data;
  }

  /** The entry's bytes as chunks, inflated on the way; the CRC and size are checked at the end. */
  async *streamEntry(e: ZipEntry, signal?: AbortSignal): AsyncGenerator<Buffer> {
    this.checkSupported(e);
    const start = this.dataOffset(e);
    if (e.compressedSize === 0) {
      this.verify(e, 0, 0);
      return;
    }
    const file = createReadStream(this.path, { start, end: start + e.compressedSize - 1, highWaterMark: 1 << 20 });
    const source = e.method === 0 ? file : file.pipe(createInflateRaw({ chunkSize: 1 << 20 }));
    if (e.method === 8) file.on('error', (err) => source.destroy(err));
    let crc = 0;
    let size = 0;
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        if (signal?.aborted) break;
        crc = crc32(chunk, crc);
        size += chunk.length;
        yield chunk;
      }
    } catch (err) {
      if (isSystemError(err)) throw fromSystemError(err, { action: 'read', path: this.label, role: 'source' });
      throw malformed(this.label, `entry "${e.name}": data is corrupt or truncated (${(err as Error).message})`);
    } finally {
      file.destroy();
      source.destroy();
    }
    if (!signal?.aborted) this.verify(e, size, crc);
  }

  private verify(e: ZipEntry, size: number, crc: number): void {
    if (size !== e.size) throw malformed(this.label, `entry "${e.name}": ${size} bytes, the directory says ${e.size} (truncated or corrupt)`);
    if (crc >>> 0 !== e.crc >>> 0) throw malformed(this.label, `entry "${e.name}": CRC-32 mismatch (corrupt data)`);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

// CP437's upper half: what DOS-era zip tools wrote names in.
const CP437_HIGH = 'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * An entry's name: UTF-8 when flag bit 11 says so or Info-ZIP's Unicode Path field (0x7075)
 * carries it; else UTF-8 if the bytes are valid UTF-8 (Info-ZIP on Linux writes UTF-8 names
 * without the flag), else CP437 (the format's old default).
 */
function entryName(bytes: Buffer, flags: number, extra: Buffer): string {
  if (flags & 0x800) return bytes.toString('utf8');
  for (let x = 0; x + 4 <= extra.length; x += 4 + extra.readUInt16LE(x + 2)) {
    const len = extra.readUInt16LE(x + 2);
    if (extra.readUInt16LE(x) === 0x7075 && len >= 5 && x + 4 + len <= extra.length && extra.readUInt32LE(x + 5) === crc32(bytes) >>> 0) {
      return extra.subarray(x + 9, x + 4 + len).toString('utf8');
    }
  }
  try {
    return utf8.decode(bytes);
  } catch {
    return Array.from(bytes, (b) => (b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80])).join('');
  }
}

function readAt(fd: number, offset: number, length: number, label: string): Buffer {
  const buf = Buffer.alloc(length);
  const n = withSystemErrors({ action: 'read', path: label, role: 'source' }, () => readSync(fd, buf, 0, length, offset));
  return buf.subarray(0, n);
}

function readCentralDirectory(path: string, fd: number): ZipEntry[] {
  const size = fstatSync(fd).size;
  const tailLength = Math.min(size, 22 + 65535);
  const tail = readAt(fd, size - tailLength, tailLength, path);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw malformed(path, 'not a zip file (no end-of-central-directory record; the file may be truncated)');
  let count = tail.readUInt16LE(at + 10);
  let cdSize = tail.readUInt32LE(at + 12);
  let cdOffset = tail.readUInt32LE(at + 16);
  if (count === 0xffff || cdSize === MAX32 || cdOffset === MAX32) {
    const locAt = size - tailLength + at - 20;
    const loc = locAt >= 0 ? readAt(fd, locAt, 20, path) : Buffer.alloc(0);
    if (loc.length < 20 || loc.readUInt32LE(0) !== EOCD64_LOCATOR) throw malformed(path, 'zip64 end-of-central-directory locator missing');
    const e64 = readAt(fd, Number(loc.readBigUInt64LE(8)), 56, path);
    if (e64.length < 56 || e64.readUInt32LE(0) !== EOCD64) throw malformed(path, 'zip64 end-of-central-directory record missing');
    count = Number(e64.readBigUInt64LE(32));
    cdSize = Number(e64.readBigUInt64LE(40));
    cdOffset = Number(e64.readBigUInt64LE(48));
  }
  if (cdOffset + cdSize > size) throw malformed(path, `truncated: the central directory (at ${cdOffset}, ${cdSize} bytes) lies past the end of the ${size}-byte file`);
  const cd = readAt(fd, cdOffset, cdSize, path);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw malformed(path, `central directory entry ${i} is damaged`);
    const flags = cd.readUInt16LE(p + 8);
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    const nameBytes = cd.subarray(p + 46, p + 46 + nameLength);
    const name = entryName(nameBytes, flags, cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
    const size32 = cd.readUInt32LE(p + 24);
    const compressed32 = cd.readUInt32LE(p + 20);
    const offset32 = cd.readUInt32LE(p + 42);
    let size64: number = size32;
    let compressed64: number = compressed32;
    let offset64: number = offset32;
    const extra = cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength);
    for (let x = 0; x + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(x);
      const len = extra.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        const next = (): number => {
          if (q + 8 > Math.min(extra.length, x + 4 + len)) throw malformed(path, `central directory entry ${i} ("${name}"): its zip64 extra field is too short`);
          const v = Number(extra.readBigUInt64LE(q));
          q += 8;
          return v;
        };
        if (size32 === MAX32) size64 = next();
        if (compressed32 === MAX32) compressed64 = next();
        if (offset32 === MAX32) offset64 = next();
      }
      x += 4 + len;
    }
    const madeByUnix = cd[p + 5] === 3;
    const unixMode = madeByUnix ? cd.readUInt32LE(p + 38) >>> 16 : undefined;
    entries.push({ name, method: cd.readUInt16LE(p + 10), flags, crc: cd.readUInt32LE(p + 16), compressedSize: compressed64, size: size64, localOffset: offset64, ...(unixMode ? { unixMode } : {}) });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

// Tar archives read as one stream, gzip-compressed or not (CIFAR, STL-10 and image folders
// ship as .tar.gz): ustar headers with their prefix field, GNU long names and pax paths.
// Entries come in archive order; a visitor takes a body whole, streams it, or leaves it.
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { EffconvError } from '../../contract/errors';
import { ChunkReader } from './chunk-reader';

export interface TarEntry {
  path: string;
  size: number;
}

export interface EntryBody {
  /** The whole body (for files that fit in memory). */
  bytes(): Promise<Buffer>;
  /** The body as chunks as they arrive. */
  chunks(): AsyncGenerator<Buffer>;
}

export interface TarWalkOptions {
  signal?: AbortSignal;
  /** Bytes of the archive file read so far, and its size (for progress). */
  onRead?(bytesRead: number, fileSize: number): void;
}

function malformed(file: string, reason: string): EffconvError {
  return new EffconvError('DATASET_MALFORMED', `${basename(file)}: ${reason}`, `${file}: ${reason}`);
}

export function isGzipFile(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

function cString(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString('utf8');
}

/** Octal, or GNU base-256 (high bit set) for sizes of 8 GiB and more. */
function parseSize(field: Buffer): number {
  if (field[0] & 0x80) {
    let v = 0;
    for (let i = 1; i < field.length; i++) v = v * 256 + field[i];
    return v;
  }
  const text = cString(field).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumOk(h: Buffer): boolean {
  const stored = parseInt(cString(h.subarray(148, 156)).trim(), 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return stored === sum;
}

/** pax records: "<length> <key>=<value>\n"; only the path matters here. */
function paxPath(body: Buffer): string | null {
  let path: string | null = null;
  let p = 0;
  while (p < body.length) {
    const space = body.indexOf(0x20, p);
    if (space < 0) break;
    const length = parseInt(body.subarray(p, space).toString('ascii'), 10);
    if (!(length > 0)) break;
    const record = body.subarray(space + 1, p + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    p += length;
  }
  return path;
}

export function normaliseEntryPath(raw: string): string | null {
  const parts = raw.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.');
  if (parts.length === 0 || parts.includes('..')) return null;
  return parts.join('/');
}

/** Visit every regular file of the archive in order. The visitor must finish with the body before it resolves. */
export async function walkTar(file: string, visit: (entry: TarEntry, body: EntryBody) => Promise<void> | void, opts: TarWalkOptions = {}): Promise<void> {
  const fileSize = statSync(file).size;
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const gz = isGzipFile(file);
  const source = gz ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  if (gz) raw.on('error', (e) => source.destroy(e));
  const reader = new ChunkReader((source as AsyncIterable<Buffer>)[Symbol.asyncIterator](), (e) =>
    malformed(file, gz ? `gzip data is truncated or corrupt (${(e as Error).message})` : (e as Error).message),
  );
  let longName: string | null = null;
  let pax: string | null = null;
  let offset = 0;
  try {
    for (;;) {
      if (opts.signal?.aborted) throw new EffconvError('CANCELLED', 'cancelled');
      const h = await reader.exactly(512);
      if (h === null) {
        if (offset === 0) throw malformed(file, 'empty archive');
        break; // some writers omit the two zero blocks at the end
      }
      if (h.length < 512) {
        throw malformed(file, offset === 0 ? `not a tar archive (${h.length} bytes, less than one 512-byte header)` : `truncated: the archive ends inside a header at byte ${offset}`);
      }
      if (h.every((b) => b === 0)) break;
      if (!checksumOk(h)) throw malformed(file, offset === 0 ? 'not a tar archive (header checksum mismatch)' : `damaged tar header at byte ${offset}`);
      const size = parseSize(h.subarray(124, 136));
      const type = String.fromCharCode(h[156]);
      const padded = Math.ceil(size / 512) * 512;
      offset += 512;
      if (type === 'L' || type === 'x' || type === 'g') {
        const body = await reader.exactly(padded);
        if (body === null || body.length < padded) throw malformed(file, `truncated inside a long-name header at byte ${offset}`);
        if (type === 'L') longName = cString(body.subarray(0, size));
        if (type === 'x') pax = paxPath(body.subarray(0, size)) ?? pax;
        offset += padded;
        continue;
      }
      // POSIX ustar keeps a path prefix at 345; GNU's "ustar  " format uses those bytes for times.
      const prefix = h.subarray(257, 263).toString('latin1') === 'ustar\0' ? cString(h.subarray(345, 500)) : '';
      const name = longName ?? pax ?? (prefix ? `${prefix}/${cString(h.subarray(0, 100))}` : cString(h.subarray(0, 100)));
      longName = pax = null;
      let consumed = 0;
      const path = normaliseEntryPath(name);
      if ((type === '0' || type === '\0' || type === '7') && path !== null) {
        const where = path;
        const body: EntryBody = {
          bytes: async () => {
            const b = await reader.exactly(size - consumed);
            if ((b?.length ?? 0) < size - consumed) throw malformed(file, `truncated: "${where}" should have ${size} bytes`);
            consumed = size;
            return b ?? Buffer.alloc(0);
          },
          chunks: async function* () {
            while (consumed < size) {
              const piece = await reader.some(Math.min(size - consumed, 1 << 20));
              if (piece.length === 0) throw malformed(file, `truncated: "${where}" should have ${size} bytes, the archive ends after ${consumed}`);
              consumed += piece.length;
              yield piece;
            }
          },
        };
        await visit({ path, size }, body);
      }
      if (!(await reader.skip(padded - consumed))) throw malformed(file, `truncated: the archive ends inside "${name}"`);
      offset += padded;
      opts.onRead?.(raw.bytesRead, fileSize);
    }
  } finally {
    raw.destroy();
    source.destroy();
  }
}

// Tar archives read as one stream, gzip-compressed or not (CIFAR, STL-10 and image folders
// ship as .tar.gz): ustar headers with their prefix field, GNU long names and pax paths.
// Entries come in archive order; a visitor takes a body whole, streams it, or leaves it.
import { createReadStream, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { EffconvError } from '../../contract/errors';
import { withSystemErrors } from '../../common/system-errors';
import { malformed, readFailure } from '../malformed';
import { ChunkReader } from './chunk-reader';
import { isGzipFile } from './gzip';

export interface TarEntry {
  path: string;
  size: number;
  /** Only files have a body; 'other' is a device, a pipe…; 'outside' a name that leaves the archive's top (../x: never read). */
  type: 'file' | 'folder' | 'link' | 'hardlink' | 'other' | 'outside';
  /** For links: the target as stored. */
  linkTarget?: string;
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

/** pax records: "<length> <key>=<value>\n"; the path and the link target matter here. */
function paxRecords(body: Buffer): { path: string | null; linkpath: string | null } {
  let path: string | null = null;
  let linkpath: string | null = null;
  let p = 0;
  while (p < body.length) {
    const space = body.indexOf(0x20, p);
    if (space < 0) break;
    const length = parseInt(body.subarray(p, space).toString('ascii'), 10);
    if (!(length > 0)) break;
    const record = body.subarray(space + 1, p + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    if (record.slice(0, eq) === 'linkpath') linkpath = record.slice(eq + 1);
    p += length;
  }
  return { path, linkpath };
}

const TYPES: Record<string, TarEntry['type']> = { '0': 'file', '\0': 'file', '7': 'file', '5': 'folder', '2': 'link', '1': 'hardlink' };

const EMPTY_BODY: EntryBody = {
  bytes: async () => Buffer.alloc(0),
  chunks: async function* () {},
};

/** An archive member's path, relative and '/'-separated; null when it would leave the archive's top ("../x"). */
export function normaliseEntryPath(raw: string): string | null {
  const parts = raw.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.');
  if (parts.length === 0 || parts.includes('..')) return null;
  return parts.join('/');
}

/** Visit every entry of the archive in order (files with their body). The visitor must finish with the body before it resolves. */
export async function walkTar(file: string, visit: (entry: TarEntry, body: EntryBody) => Promise<void> | void, opts: TarWalkOptions = {}): Promise<void> {
  const { fileSize, gz } = withSystemErrors({ action: 'read', path: file, role: 'source' }, () => ({ fileSize: statSync(file).size, gz: isGzipFile(file) }));
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const source = gz ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  if (gz) raw.on('error', (e) => source.destroy(e));
  const reader = new ChunkReader((source as AsyncIterable<Buffer>)[Symbol.asyncIterator](), (e) =>
    readFailure(file, e, (m) => (gz ? `gzip data is truncated or corrupt (${m})` : m)),
  );
  let longName: string | null = null;
  let longLink: string | null = null;
  let pax: string | null = null;
  let paxLink: string | null = null;
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
      if (type === 'L' || type === 'K' || type === 'x' || type === 'g') {
        const body = await reader.exactly(padded);
        if (body === null || body.length < padded) throw malformed(file, `truncated inside a long-name header at byte ${offset}`);
        if (type === 'L') longName = cString(body.subarray(0, size));
        if (type === 'K') longLink = cString(body.subarray(0, size));
        if (type === 'x') {
          const r = paxRecords(body.subarray(0, size));
          pax = r.path ?? pax;
          paxLink = r.linkpath ?? paxLink;
        }
        offset += padded;
        continue;
      }
      // POSIX ustar keeps a path prefix at 345; GNU's "ustar  " format uses those bytes for times.
      const prefix = h.subarray(257, 263).toString('latin1') === 'ustar\0' ? cString(h.subarray(345, 500)) : '';
      const name = longName ?? pax ?? (prefix ? `${prefix}/${cString(h.subarray(0, 100))}` : cString(h.subarray(0, 100)));
      const linkTarget = longLink ?? paxLink ?? cString(h.subarray(157, 257));
      longName = longLink = pax = paxLink = null;
      let consumed = 0;
      const path = normaliseEntryPath(name);
      const kind = TYPES[type] ?? 'other';
      if (path === null && kind === 'file' && name.replace(/[/.]/g, '') !== '') await visit({ path: name, size, type: 'outside' }, EMPTY_BODY);
      if (kind !== 'file' && path !== null) await visit({ path, size: 0, type: kind, ...(kind === 'link' || kind === 'hardlink' ? { linkTarget } : {}) }, EMPTY_BODY);
      if (kind === 'file' && path !== null) {
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
        await visit({ path, size, type: 'file' }, body);
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

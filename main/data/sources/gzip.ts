// gzip is recognised by its two magic bytes (1f 8b), never by the file name: the publishers
// ship the same files plain and gzipped, and users gunzip or rename them.
import { closeSync, openSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { malformed } from '../malformed';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function isGzipFile(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && isGzip(b);
  } finally {
    closeSync(fd);
  }
}

/** The bytes, gunzipped if they are gzip. */
export function gunzipIfGzip(bytes: Buffer, where: string): Buffer {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw malformed(where, `gzip data is corrupt or truncated (${(e as Error).message})`);
  }
}

// Files in transit through the fleet's Redis (checkpoints, weights, data sets): stored in
// chunks of 4 MiB under one key, described by a BlobRef (sha256, size, chunks) that travels
// in a message. A reader gets the bytes only if their sha256 is the one the ref names; else a
// CHECKSUM_MISMATCH that says what was refused. Every chunk expires, so nothing left over by a
// vanished coordinator fills Redis for ever.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, writeSync, fsyncSync, renameSync, fstatSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { tempSibling } from '../../../common/atomic-write';
import { EffconvError } from '../../../contract/errors';
import type { BlobRef } from './protocol';

export const CHUNK_BYTES = 4 << 20;
/** Chunks of checkpoints and results live this long unless deleted first (a coordinator away for a weekend still finds them). */
export const BLOB_TTL_SECONDS = 7 * 24 * 3600;

const chunkKey = (key: string, i: number) => `${key}:${i}`;

function tooBig(what: string, bytes: number, max: number): EffconvError {
  return new EffconvError('INVALID_ARGUMENT', `${what} is ${(bytes / 2 ** 20).toFixed(0)} MiB, more than the ${(max / 2 ** 20).toFixed(0)} MiB the queue carries`, what);
}

/** Store bytes under `key` (in chunks) and return their ref. */
export async function putBlob(redis: Redis, key: string, data: Uint8Array, o: { ttlSeconds?: number; maxBytes?: number; what?: string } = {}): Promise<BlobRef> {
  if (o.maxBytes !== undefined && data.length > o.maxBytes) throw tooBig(o.what ?? key, data.length, o.maxBytes);
  const chunks = Math.ceil(data.length / CHUNK_BYTES);
  const p = redis.pipeline();
  for (let i = 0; i < chunks; i++) p.set(chunkKey(key, i), Buffer.from(data.buffer, data.byteOffset + i * CHUNK_BYTES, Math.min(CHUNK_BYTES, data.length - i * CHUNK_BYTES)), 'EX', o.ttlSeconds ?? BLOB_TTL_SECONDS);
  await execPipeline(p);
  return { key, sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length, chunks };
}

/** Store a file under `key`, read a chunk at a time (a data set need not fit in memory twice). */
export async function putFileBlob(redis: Redis, key: string, path: string, o: { ttlSeconds?: number; maxBytes?: number; what?: string } = {}): Promise<BlobRef> {
  const fd = openSync(path, 'r');
  try {
    const bytes = fstatSync(fd).size;
    if (o.maxBytes !== undefined && bytes > o.maxBytes) throw tooBig(o.what ?? path, bytes, o.maxBytes);
    const hash = createHash('sha256');
    const buf = Buffer.alloc(Math.min(CHUNK_BYTES, Math.max(bytes, 1)));
    let i = 0;
    for (let at = 0; at < bytes; i++) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, bytes - at), at);
      if (n <= 0) throw new EffconvError('DATASET_MALFORMED', `${path}: shorter than its size while it was read`, path);
      const piece = Buffer.from(buf.subarray(0, n));
      hash.update(piece);
      await redis.set(chunkKey(key, i), piece, 'EX', o.ttlSeconds ?? BLOB_TTL_SECONDS);
      at += n;
    }
    return { key, sha256: hash.digest('hex'), bytes, chunks: i };
  } finally {
    closeSync(fd);
  }
}

function mismatch(what: string, ref: BlobRef, got: string): EffconvError {
  return new EffconvError(
    'CHECKSUM_MISMATCH',
    `${what}: the bytes in the queue have sha256 ${got.slice(0, 12)}…, not the ${ref.sha256.slice(0, 12)}… they were sent with; refused (damaged or altered in transit)`,
    `${ref.key}: expected ${ref.sha256}, got ${got}`,
  );
}

async function chunk(redis: Redis, ref: BlobRef, i: number, what: string): Promise<Buffer> {
  const b = await redis.getBuffer(chunkKey(ref.key, i));
  if (!b) throw new EffconvError('CHECKSUM_MISMATCH', `${what}: part ${i + 1} of ${ref.chunks} is missing from the queue (expired or deleted); refused`, ref.key);
  return b;
}

/** The bytes, verified against the ref's size and sha256. */
export async function readBlob(redis: Redis, ref: BlobRef, what: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < ref.chunks; i++) parts.push(await chunk(redis, ref, i, what));
  const data = Buffer.concat(parts);
  const got = createHash('sha256').update(data).digest('hex');
  if (data.length !== ref.bytes || got !== ref.sha256) throw mismatch(what, ref, got);
  return data;
}

/** The bytes into a file, written whole (temp, fsync, rename) and only if they verify; nothing is left otherwise. */
export async function readBlobToFile(redis: Redis, ref: BlobRef, path: string, what: string): Promise<void> {
  const tmp = tempSibling(path);
  const fd = openSync(tmp, 'w');
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for (let i = 0; i < ref.chunks; i++) {
      const b = await chunk(redis, ref, i, what);
      hash.update(b);
      bytes += b.length;
      for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
    }
    fsyncSync(fd);
    closeSync(fd);
    const got = hash.digest('hex');
    if (bytes !== ref.bytes || got !== ref.sha256) throw mismatch(what, ref, got);
    renameSync(tmp, path);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // closed already
    }
    rmSync(tmp, { force: true });
    throw e;
  }
}

export async function deleteBlob(redis: Redis, ref: Pick<BlobRef, 'key' | 'chunks'>): Promise<void> {
  if (ref.chunks === 0) return;
  await redis.del(...Array.from({ length: ref.chunks }, (_, i) => chunkKey(ref.key, i)));
}

async function execPipeline(p: ReturnType<Redis['pipeline']>): Promise<void> {
  const results = (await p.exec()) ?? [];
  for (const [err] of results) if (err) throw err;
}

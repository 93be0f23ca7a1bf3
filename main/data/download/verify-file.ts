// Is a downloaded file the published one? Its size, then its MD5 and (where published) its
// SHA-256, in one streaming pass.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { EffconvError } from '../../contract/errors';
import type { RegistryFile } from './registry';

export interface FileDigest {
  bytes: number;
  md5: string;
  sha256: string;
}

export async function digestFile(path: string, signal?: AbortSignal): Promise<FileDigest> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal }) as AsyncIterable<Buffer>) {
    md5.update(chunk);
    sha256.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, md5: md5.digest('hex'), sha256: sha256.digest('hex') };
}

/** Null when the file is the published one, else what differs. */
export async function checkFile(path: string, want: RegistryFile, signal?: AbortSignal): Promise<string | null> {
  const size = statSync(path).size;
  if (size !== want.bytes) return `${size} bytes, expected ${want.bytes}`;
  const got = await digestFile(path, signal);
  if (got.md5 !== want.md5) return `MD5 ${got.md5}, expected ${want.md5}`;
  if (want.sha256 && got.sha256 !== want.sha256) return `SHA-256 ${got.sha256}, expected ${want.sha256}`;
  return null;
}

export function checksumError(file: string, url: string, problem: string): EffconvError {
  return new EffconvError(
    'CHECKSUM_MISMATCH',
    `${basename(file)} from ${url} is not the published file: ${problem}. The download was discarded and the library is unchanged: run the command again, or use another server with --mirror URL`,
    url,
  );
}

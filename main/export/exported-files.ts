// What an export wrote, as its result lists it: every file under the output (or the output
// file itself), sorted, with its size and sha256.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportedFile } from '../contract/export';

export function listExportedFiles(path: string): ExportedFile[] {
  if (!statSync(path).isDirectory()) {
    const data = readFileSync(path);
    return [{ path, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') }];
  }
  return readdirSync(path).sort().flatMap((name) => listExportedFiles(join(path, name)));
}

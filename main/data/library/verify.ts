// Re-read a library entry and compare every file with the checksums in its record (disk
// damage, a hand edit, an interrupted copy of the library folder).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { getDataset } from './catalog';
import { entryDir } from './layout';
import { ImportProgress, type ProgressCallback } from './progress';
import { checksumOfRecord, labelFile, pixelFile, type SplitName } from './record';

export interface VerifyResult {
  name: string;
  ok: boolean;
  problems: string[];
}

async function fileSha(path: string, progress: ImportProgress): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) {
    h.update(chunk as Buffer);
    progress.advance((chunk as Buffer).length);
  }
  return h.digest('hex');
}

export async function verifyDataset(name: string, hooks: { onProgress?: ProgressCallback; signal?: AbortSignal } = {}): Promise<VerifyResult> {
  const r = getDataset(name);
  const dir = entryDir(name);
  const problems: string[] = [];
  const files: { path: string; sha: string | null; bytes: number }[] = [];
  for (const split of Object.keys(r.splits) as SplitName[]) {
    const s = r.splits[split]!;
    files.push({ path: join(dir, pixelFile(split)), sha: s.sha256, bytes: s.bytes });
    if (s.labelsSha256) files.push({ path: join(dir, labelFile(split)), sha: s.labelsSha256, bytes: s.count * 2 });
  }
  const progress = new ImportProgress(hooks.onProgress, hooks.signal);
  progress.start('verify', files.reduce((n, f) => n + f.bytes, 0));
  for (const f of files) {
    if (!existsSync(f.path)) {
      problems.push(`${f.path}: missing`);
      continue;
    }
    const size = statSync(f.path).size;
    if (size !== f.bytes) problems.push(`${f.path}: ${size} bytes, expected ${f.bytes}`);
    else if ((await fileSha(f.path, progress)) !== f.sha) problems.push(`${f.path}: sha256 differs from the record`);
  }
  if (checksumOfRecord(r) !== r.sha256) problems.push(`meta.json: the dataset sha256 does not match its files' checksums`);
  return { name, ok: problems.length === 0, problems };
}

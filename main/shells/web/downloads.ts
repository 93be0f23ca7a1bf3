// Web mode cannot hand a browser a local path: exports are offered as downloads instead.
// A single file is sent as it is; a folder (pytorch, onnx, tfjs, report, all) as a .zip.
import { randomBytes } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { basename, join, relative } from 'node:path';
import { zipSync } from 'fflate';
import type { ExportedFile } from '../../contract/export';
import { securityHeaders } from './static-files';

const TTL_MS = 60 * 60 * 1000;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

export class Downloads {
  private readonly items = new Map<string, { path: string; expires: number }>();

  /** Register an export's output (a run's or a sweep's) and return the result with a download URL in place of the server's paths. */
  publish<R extends { out: string; files: ExportedFile[]; source?: string }>(r: R): R {
    const id = randomBytes(12).toString('hex');
    this.items.set(id, { path: r.out, expires: Date.now() + TTL_MS });
    for (const [k, v] of this.items) if (v.expires < Date.now()) this.items.delete(k);
    const base = r.out.replace(/[\\/]+$/, '');
    const url = `/api/download/${id}`;
    return { ...r, ...('source' in r ? { source: '' } : {}), out: url, files: r.files.map((f) => ({ ...f, path: f.path.startsWith(base) ? f.path.slice(base.length).replace(/^[\\/]/, '') : f.path })) };
  }

  send(id: string, res: ServerResponse): boolean {
    const item = this.items.get(id);
    if (!item || item.expires < Date.now()) return false;
    const st = statSync(item.path, { throwIfNoEntry: false });
    if (!st) return false;
    if (st.isFile()) {
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': st.size,
        'Content-Disposition': `attachment; filename="${basename(item.path).replace(/"/g, '')}"`,
        ...securityHeaders(),
      });
      createReadStream(item.path).pipe(res);
      return true;
    }
    const entries: Record<string, Uint8Array> = {};
    for (const f of filesUnder(item.path)) entries[`${basename(item.path)}/${relative(item.path, f)}`] = readFileSync(f);
    const zip = zipSync(entries, { level: 6 });
    res.writeHead(200, {
      'Content-Type': 'application/zip',
      'Content-Length': zip.length,
      'Content-Disposition': `attachment; filename="${basename(item.path).replace(/"/g, '')}.zip"`,
      ...securityHeaders(),
    });
    res.end(zip);
    return true;
  }
}

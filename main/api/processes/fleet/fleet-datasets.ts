// Data sets on workers. A job names its data set by name and content sha256. The coordinator
// offers it on the queue's Redis (a library entry's files, or an idx folder's files) once per
// sha256; a worker that has no library entry with that sha256 fetches it once, checks every
// byte, and keeps it in its own library. Nothing that fails a check is stored or trained on.
import { mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { writeJsonAtomic } from '../../../common/atomic-write';
import { settings } from '../../../common/settings';
import { EffconvError } from '../../../contract/errors';
import { findDataset, listDatasets } from '../../../data/library/catalog';
import { importDataset } from '../../../data/library/import-dataset';
import { createImportFolder, entryDir } from '../../../data/library/layout';
import { checksumOfRecord, labelFile, META_FILE, pixelFile, readRecord, type DatasetRecord, type SplitName } from '../../../data/library/record';
import { findIdxFiles } from '../../../data/importers/idx';
import { openIdxFolder } from '../../../data/open-idx';
import { datasetSource } from '../../../data/resolve';
import { BLOB_TTL_SECONDS, putFileBlob, readBlobToFile } from './blobs';
import { keys } from './keys';
import { BlobRefSchema, type DatasetRef } from './protocol';

/** What a coordinator offers: the files a worker needs to have the same data set. */
export interface DatasetPackage {
  ref: DatasetRef;
  kind: 'library' | 'idx';
  files: { name: string; path: string }[];
}

const ManifestSchema = z.object({
  name: z.string(),
  sha256: z.string(),
  kind: z.enum(['library', 'idx']),
  files: z.array(z.object({ name: z.string().regex(/^[A-Za-z0-9._-]+$/), blob: BlobRefSchema })),
});

/** An idx folder's identity costs a full read: remembered per folder while its files are unchanged. */
const idxIdentity = new Map<string, { stamp: string; name: string; sha256: string }>();

/** Sizes and times of a package's files: the same stamp, the same package. */
export function packageStamp(pkg: Pick<DatasetPackage, 'files'>): string | null {
  try {
    return pkg.files.map((f) => `${f.path}:${statSync(f.path).size}:${statSync(f.path).mtimeMs}`).join('|');
  } catch {
    return null;
  }
}

/**
 * Packages by --dataset, described where the caller says (a task process for the app: an idx
 * folder is read whole), remembered while their files are unchanged.
 */
export function cachedPackages(describe: (spec: string) => Promise<DatasetPackage>): (spec: string) => Promise<DatasetPackage> {
  const known = new Map<string, { pkg: DatasetPackage; stamp: string }>();
  return async (spec) => {
    const hit = known.get(spec);
    if (hit && packageStamp(hit.pkg) === hit.stamp) return hit.pkg;
    const pkg = await describe(spec);
    const stamp = packageStamp(pkg);
    if (stamp) known.set(spec, { pkg, stamp });
    return pkg;
  };
}

/** The package for a run's --dataset, as this machine resolves it. */
export function datasetPackage(spec: string): DatasetPackage {
  const src = datasetSource(spec);
  if (src.kind === 'library') {
    const r = readRecord(entryDir(src.name));
    const files = [{ name: META_FILE, path: join(entryDir(src.name), META_FILE) }];
    for (const split of Object.keys(r.splits) as SplitName[]) {
      files.push({ name: pixelFile(split), path: join(entryDir(src.name), pixelFile(split)) });
      if (r.splits[split]!.labelsSha256) files.push({ name: labelFile(split), path: join(entryDir(src.name), labelFile(split)) });
    }
    return { ref: { name: r.name, sha256: r.sha256, bytes: files.reduce((n, f) => n + statSync(f.path).size, 0) }, kind: 'library', files };
  }
  const found = findIdxFiles(src.dir)!;
  const paths = [found.train.images, found.train.labels, found.test.images, found.test.labels];
  const stamp = paths.map((p) => `${p}:${statSync(p).size}:${statSync(p).mtimeMs}`).join('|');
  let id = idxIdentity.get(src.dir);
  if (!id || id.stamp !== stamp) {
    const set = openIdxFolder(src.dir, src.name);
    id = { stamp, name: set.name, sha256: set.sha256! };
    idxIdentity.set(src.dir, id);
  }
  const files = paths.map((p) => ({ name: basename(p), path: p }));
  return { ref: { name: id.name, sha256: id.sha256, bytes: files.reduce((n, f) => n + statSync(f.path).size, 0) }, kind: 'idx', files };
}

/** Put the package on the queue's Redis unless it is there already (then its time there is extended). */
export async function offerDataset(redis: Redis, pkg: DatasetPackage): Promise<void> {
  const max = settings().fleet.maxDatasetMb * 2 ** 20;
  if (pkg.ref.bytes > max) {
    throw new EffconvError(
      'INVALID_ARGUMENT',
      `dataset ${pkg.ref.name} is ${(pkg.ref.bytes / 2 ** 20).toFixed(0)} MiB, more than the ${settings().fleet.maxDatasetMb} MiB the queue carries: import it on each worker (effconv dataset import …) or raise EFFCONV_FLEET_MAX_DATASET_MB`,
      pkg.ref.name,
    );
  }
  const key = keys.data(pkg.ref.sha256);
  const existing = await redis.get(key);
  if (existing) {
    const m = ManifestSchema.safeParse(JSON.parse(existing));
    if (m.success) {
      const p = redis.pipeline();
      p.expire(key, BLOB_TTL_SECONDS);
      for (const f of m.data.files) for (let i = 0; i < f.blob.chunks; i++) p.expire(`${f.blob.key}:${i}`, BLOB_TTL_SECONDS);
      await p.exec();
      return;
    }
  }
  const files = [];
  for (const [i, f] of pkg.files.entries()) files.push({ name: f.name, blob: await putFileBlob(redis, keys.dataFile(pkg.ref.sha256, i), f.path) });
  // The manifest last: a worker never sees a data set whose files are still arriving.
  await redis.set(key, JSON.stringify({ name: pkg.ref.name, sha256: pkg.ref.sha256, kind: pkg.kind, files }), 'EX', BLOB_TTL_SECONDS);
}

function refused(ref: DatasetRef, why: string): EffconvError {
  return new EffconvError('CHECKSUM_MISMATCH', `dataset ${ref.name} from the queue: ${why}; refused, nothing was stored or trained on`, `${ref.name} ${ref.sha256}`);
}

/** A name in this library for it: its own, unless another data set has taken that name here. */
function freeName(ref: DatasetRef): string {
  const own = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(ref.name) ? ref.name : 'dataset';
  return findDataset(own) ? `${own.slice(0, 55)}-${ref.sha256.slice(0, 8)}` : own;
}

/** A library entry's files were verified one by one against the blobs; now against its own record and the job's sha256. */
function checkRecord(dir: string, ref: DatasetRef, got: Map<string, string>): DatasetRecord {
  const r = readRecord(dir);
  if (r.sha256 !== ref.sha256) throw refused(ref, `its record says sha256 ${r.sha256.slice(0, 12)}…, the job ${ref.sha256.slice(0, 12)}…`);
  if (checksumOfRecord(r) !== r.sha256) throw refused(ref, 'its record\'s sha256 does not match its files\' checksums');
  for (const split of Object.keys(r.splits) as SplitName[]) {
    const s = r.splits[split]!;
    if (got.get(pixelFile(split)) !== s.sha256) throw refused(ref, `${pixelFile(split)} differs from its record`);
    if (s.labelsSha256 && got.get(labelFile(split)) !== s.labelsSha256) throw refused(ref, `${labelFile(split)} differs from its record`);
  }
  return r;
}

const fetching = new Map<string, Promise<string>>();

/** This worker's library name for the job's data set, fetched from the queue first if it has none with that sha256. */
export function ensureDataset(redis: Redis, ref: DatasetRef, log: (message: string) => void = () => {}): Promise<string> {
  const have = listDatasets().find((d) => d.sha256 === ref.sha256);
  if (have) return Promise.resolve(have.name);
  let p = fetching.get(ref.sha256);
  if (!p) {
    p = fetchDataset(redis, ref, log).finally(() => fetching.delete(ref.sha256));
    fetching.set(ref.sha256, p);
  }
  return p;
}

async function fetchDataset(redis: Redis, ref: DatasetRef, log: (message: string) => void): Promise<string> {
  const raw = await redis.get(keys.data(ref.sha256));
  if (!raw) {
    throw new EffconvError(
      'DATASET_NOT_FOUND',
      `dataset ${ref.name} (sha256 ${ref.sha256.slice(0, 12)}…) is not in this worker's library and not on offer in the queue (expired?): resume the run from the workbench to offer it again, or import it here`,
      ref.sha256,
    );
  }
  const parsed = ManifestSchema.safeParse(JSON.parse(raw));
  if (!parsed.success || parsed.data.sha256 !== ref.sha256) throw refused(ref, 'its manifest in the queue is not one this worker understands');
  const m = parsed.data;
  log(`fetching dataset ${ref.name} (${(ref.bytes / 2 ** 20).toFixed(1)} MiB) from the queue`);
  if (m.kind === 'library') {
    const folder = createImportFolder(`fleet:${ref.name}:${ref.sha256}`);
    try {
      const got = new Map<string, string>();
      for (const f of m.files) {
        await readBlobToFile(redis, f.blob, join(folder.dir, f.name), `dataset ${ref.name}, ${f.name}`);
        got.set(f.name, f.blob.sha256);
      }
      rmSync(join(folder.dir, 'importing.json'), { force: true });
      const record = checkRecord(folder.dir, ref, got);
      const name = freeName(ref);
      if (name !== record.name) writeJsonAtomic(join(folder.dir, META_FILE), { ...record, name });
      try {
        renameSync(folder.dir, entryDir(name));
      } catch (e) {
        // Another worker process on this machine stored it first.
        const there = findDataset(name);
        if (there?.sha256 === ref.sha256) return name;
        throw e;
      }
      log(`dataset ${ref.name} verified and stored as ${name} in this worker's library`);
      return name;
    } finally {
      folder.discard();
    }
  }
  // idx files: imported as any idx folder is (the checksum is the same either way). The folder's name keeps the set's name (Fashion-MNIST's class names).
  const dir = mkdtempSync(join(tmpdir(), `effconv-fleet-${ref.name.replace(/[^A-Za-z0-9._-]/g, '-')}-`));
  try {
    for (const f of m.files) await readBlobToFile(redis, f.blob, join(dir, f.name), `dataset ${ref.name}, ${f.name}`);
    const result = await importDataset(dir, { name: freeName(ref), format: 'idx' });
    if (result.dataset.sha256 !== ref.sha256) {
      if (result.created) rmSync(entryDir(result.dataset.name), { recursive: true, force: true });
      throw refused(ref, `its files give sha256 ${result.dataset.sha256.slice(0, 12)}…, the job ${ref.sha256.slice(0, 12)}…`);
    }
    log(`dataset ${ref.name} verified and stored as ${result.dataset.name} in this worker's library`);
    return result.dataset.name;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

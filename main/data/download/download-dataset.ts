// Download a registered data set and import it: each file into the download cache
// (EFFCONV_HOME/downloads/<name>/) through a resumable .part, verified against its published
// size and checksums before it takes its real name; verified files already there are reused.
// Then the ordinary importer copies it into the library, all or nothing. Nothing is written
// into the library before every file is verified, so any failure leaves the library as it was.
import { existsSync, mkdirSync, renameSync, rmSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { effconvHome } from '../../common/paths';
import { settings } from '../../common/settings';
import type { DownloadedFile } from '../../contract/download';
import { EffconvError } from '../../contract/errors';
import { findDataset } from '../library/catalog';
import { importDataset, type ImportResult } from '../library/import-dataset';
import type { ProgressCallback } from '../library/progress';
import { DEFAULT_TUNING, discardPart, fetchToFile, partPath, type FetchTuning } from './http-fetch';
import { DATASET_REGISTRY, downloadBytes, findRegistryEntry, storedBytes, type Registry, type RegistryEntry, type RegistryFile } from './registry';
import { checkFile, checksumError } from './verify-file';

export interface DownloadProgress {
  file: string;
  /** 1-based position of the file, and how many there are. */
  index: number;
  files: number;
  phase: 'download' | 'verify';
  /** Bytes of this file so far and in all; of all files so far and in all. */
  done: number;
  total: number;
  allDone: number;
  allTotal: number;
  bytesPerSecond: number;
  /** Seconds left for all the files, NaN until the rate is known. */
  etaSeconds: number;
}

export interface DownloadOptions {
  /** Fetch the same file names from this base URL instead of the registry's (EFFCONV_DATASET_MIRROR too). */
  mirror?: string;
  /** For tests: another registry. */
  registry?: Registry;
  /** Where verified downloads are kept (default EFFCONV_HOME/downloads). */
  cacheRoot?: string;
  tuning?: Partial<FetchTuning>;
  /** For tests: free bytes on the disk holding a folder. */
  freeBytes?: (dir: string) => number;
}

export interface DownloadHooks {
  onProgress?: (p: DownloadProgress) => void;
  onImportProgress?: ProgressCallback;
  signal?: AbortSignal;
}

export type { DownloadedFile };

export interface DownloadResult {
  entry: RegistryEntry;
  /** The library already had the entry's name: nothing was downloaded or imported. */
  alreadyInLibrary: boolean;
  files: DownloadedFile[];
  import: ImportResult | null;
}

export const downloadCacheRoot = (): string => join(effconvHome(), 'downloads');

function freeBytesOf(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

const mb = (n: number): string => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;

/** The base URLs a download tries: the mirror (given, or EFFCONV_DATASET_MIRROR) alone, else the registry's; a mirror that is not an http(s) URL is refused. */
export function baseUrls(entry: RegistryEntry, mirror: string | undefined): string[] {
  const m = mirror ?? settings().datasetMirror;
  if (!m) return entry.mirrors;
  let u: URL;
  try {
    u = new URL(m);
  } catch {
    throw new EffconvError('INVALID_ARGUMENT', `--mirror must be an http or https URL, got "${m}"`, 'mirror');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new EffconvError('INVALID_ARGUMENT', `--mirror must be an http or https URL, got "${m}"`, 'mirror');
  return [u.href.endsWith('/') ? u.href : `${u.href}/`];
}

/** Bytes of the entry already in its cache folder: files of the right size (verified when used) and partial downloads. */
export function cachedBytes(entry: RegistryEntry, dir: string): number {
  return entry.files.reduce((n, f) => {
    const part = partPath(join(dir, f.name));
    try {
      if (existsSync(join(dir, f.name))) return n + (statSync(join(dir, f.name)).size === f.bytes ? f.bytes : 0);
      return n + (existsSync(part) ? Math.min(f.bytes, statSync(part).size) : 0);
    } catch {
      return n; // removed meanwhile
    }
  }, 0);
}

/** Refuse to start what the disk cannot hold: the files still to fetch plus the imported copy. */
function checkSpace(entry: RegistryEntry, dir: string, o: DownloadOptions): void {
  const missing = downloadBytes(entry) - cachedBytes(entry, dir);
  const need = missing + storedBytes(entry);
  const free = (o.freeBytes ?? freeBytesOf)(dir);
  if (free < need) {
    throw new EffconvError(
      'DISK_FULL',
      `not enough disk space for ${entry.name}: it needs about ${mb(need)} (${mb(missing)} to download, ${mb(storedBytes(entry))} in the library) and ${dir} has ${mb(free)} free. Free some space, or set EFFCONV_HOME to a folder on a bigger disk`,
      dir,
    );
  }
}

/** One file: the verified cached copy, or a (resumed) download verified before it is renamed into place. */
async function obtainFile(
  file: RegistryFile, dir: string, bases: string[], tuning: FetchTuning, report: (phase: DownloadProgress['phase'], done: number, received: number) => void, signal?: AbortSignal,
): Promise<DownloadedFile> {
  const dest = join(dir, file.name);
  if (existsSync(dest)) {
    report('verify', file.bytes, 0);
    if ((await checkFile(dest, file, signal)) === null) return { name: file.name, bytes: file.bytes, from: 'cache', url: null, resumedFrom: 0 };
    rmSync(dest); // damaged since: fetch again
  }
  const failures: string[] = [];
  for (const [i, base] of bases.entries()) {
    const url = base + file.name;
    let fetched;
    try {
      fetched = await fetchToFile(url, dest, { expectedBytes: file.bytes, tuning, signal, onProgress: (p) => report('download', p.done, p.received) });
    } catch (e) {
      // The next mirror may have it; a cancel, a full disk or a redirect loop ends the download.
      const mirrorProblem = e instanceof EffconvError && ['NETWORK_UNAVAILABLE', 'DOWNLOAD_NOT_FOUND', 'DOWNLOAD_FAILED'].includes(e.code);
      if (mirrorProblem && i < bases.length - 1) {
        failures.push((e as EffconvError).message);
        continue;
      }
      if (mirrorProblem && failures.length) throw new EffconvError((e as EffconvError).code, `${(e as EffconvError).message} (also tried: ${failures.join('; ')})`, (e as EffconvError).detail);
      throw e;
    }
    report('verify', file.bytes, 0);
    const problem = await checkFile(partPath(dest), file, signal);
    if (problem) {
      discardPart(dest); // wrong bytes must not be resumed from
      throw checksumError(dest, fetched.url, problem);
    }
    renameSync(partPath(dest), dest);
    discardPart(dest);
    return { name: file.name, bytes: file.bytes, from: 'download', url: fetched.url, resumedFrom: fetched.resumedFrom };
  }
  throw new EffconvError('INVALID_ARGUMENT', `no server to download ${file.name} from`, file.name);
}

export async function downloadDataset(name: string, o: DownloadOptions = {}, hooks: DownloadHooks = {}): Promise<DownloadResult> {
  const found = findRegistryEntry(o.registry ?? DATASET_REGISTRY, name);
  if (found.kind === 'manual') {
    throw new EffconvError('DOWNLOAD_MANUAL', `${found.title} cannot be downloaded by EffConv Studio:\n${found.steps.map((s, i) => `  ${i + 1}. ${s}`).join('\n')}`, found.homepage);
  }
  const entry = found;
  if (findDataset(entry.import.name)) return { entry, alreadyInLibrary: true, files: [], import: null };
  const bases = baseUrls(entry, o.mirror);
  const dir = join(o.cacheRoot ?? downloadCacheRoot(), entry.name);
  mkdirSync(dir, { recursive: true });
  checkSpace(entry, dir, o);

  const tuning = { ...DEFAULT_TUNING, ...o.tuning };
  const allTotal = entry.files.reduce((n, f) => n + f.bytes, 0);
  const t0 = Date.now();
  let receivedBefore = 0;
  let doneBefore = 0;
  const files: DownloadedFile[] = [];
  for (const [k, file] of entry.files.entries()) {
    const report = (phase: DownloadProgress['phase'], done: number, received: number) => {
      const seconds = (Date.now() - t0) / 1000;
      const rate = seconds > 0.5 ? (receivedBefore + received) / seconds : 0;
      const allDone = doneBefore + done;
      // Only what is still to fetch counts for the ETA (cached and resumed bytes are free).
      const left = allTotal - allDone;
      hooks.onProgress?.({
        file: file.name, index: k + 1, files: entry.files.length, phase, done, total: file.bytes, allDone, allTotal,
        bytesPerSecond: rate, etaSeconds: rate > 0 ? left / rate : left === 0 ? 0 : NaN,
      });
    };
    const got = await obtainFile(file, dir, bases, tuning, (phase, done, received) => report(phase, done, received), hooks.signal);
    files.push(got);
    if (got.from === 'download') receivedBefore += got.bytes - got.resumedFrom;
    doneBefore += file.bytes;
  }

  const source = entry.importFrom === 'folder' ? dir : join(dir, entry.files[0].name);
  try {
    const imported = await importDataset(source, entry.import, { onProgress: hooks.onImportProgress, signal: hooks.signal });
    return { entry, alreadyInLibrary: false, files, import: imported };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      throw new EffconvError('DISK_FULL', `the disk filled up while importing ${entry.name} into the library (the library is unchanged; the verified download is kept in ${dir}): free some space and run the same command again`, dir);
    }
    throw e;
  }
}

// The sample data set that ships with the app (resources/datasets/mnist: the official MNIST test
// files), put into the library on first start so there is something to train on with no network
// and no system package. It goes through the ordinary importer (8,000 / 2,000, stratified,
// seeded). A marker file records that it was offered: it is added once, so a user who removes it
// keeps it removed until they ask for it again ({ restore: true }). A lock file makes two
// processes starting at once (the app and a terminal) add it once.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../common/atomic-write';
import { datasetsDir } from '../common/paths';
import { fromSystemError, isSystemError } from '../common/system-errors';
import { resourcePath } from '../common/resources';
import { SAMPLE_DATASET_NAME } from '../contract/download';
import { EffconvError } from '../contract/errors';
import { findDataset } from './library/catalog';
import { importDataset } from './library/import-dataset';
import type { ImportOptions } from './library/import-context';
import { isProcessAlive } from '../common/process-liveness';

export const SAMPLE_DATASET = {
  name: SAMPLE_DATASET_NAME,
  /** Inside resources/. */
  folder: ['datasets', 'mnist'],
  description: 'MNIST test set, 10,000 handwritten digits: 8,000 train / 2,000 test',
  options: { name: SAMPLE_DATASET_NAME, testFraction: 0.2, seed: 0 } satisfies ImportOptions,
};

export const samplePath = (): string => resourcePath(...SAMPLE_DATASET.folder);

interface Marker {
  /** The library entry holding the sample (null when its name was taken by other data). */
  name: string | null;
  sha256: string | null;
  offeredAt: string;
  note?: string;
}

export interface SampleResult {
  /** The entry that holds the sample now, or null (removed by the user, or its name taken). */
  name: string | null;
  /** This call imported it. */
  added: boolean;
  /** Why there is no entry, when there is none. */
  reason?: string;
}

const markerPath = () => join(datasetsDir(), '.sample.json');
const lockPath = () => join(datasetsDir(), '.sample.lock');

function readMarker(): Marker | null {
  try {
    return JSON.parse(readFileSync(markerPath(), 'utf8')) as Marker;
  } catch {
    return null;
  }
}

/** Take the lock (waiting while another live process holds it; a dead holder's lock is taken over). */
async function lock(timeoutMs: number): Promise<() => void> {
  mkdirSync(datasetsDir(), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(lockPath(), 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath(), { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    let age = 0;
    try {
      holder = Number(readFileSync(lockPath(), 'utf8'));
      age = Date.now() - statSync(lockPath()).mtimeMs;
    } catch {
      continue; // released between the two calls
    }
    // A lock whose process died is stale; so is one left without a pid (its writer died at once).
    const pid = Number.isInteger(holder) && holder > 0;
    if ((pid && !isProcessAlive(holder)) || (!pid && age > 5000)) {
      rmSync(lockPath(), { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new EffconvError('DATASET_NOT_FOUND', `another process (pid ${holder}) is still adding the sample data set (${lockPath()}): try again when it has finished`, lockPath());
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function present(m: Marker | null): SampleResult | null {
  if (!m) return null;
  if (m.name && findDataset(m.name)) return { name: m.name, added: false };
  return { name: null, added: false, reason: m.name ? `the sample "${m.name}" was removed from the library` : (m.note ?? 'the sample is not in the library') };
}

/**
 * Put the sample in the library if it was never offered (or, with `restore`, if it is not there
 * now). Idempotent; safe when several processes call it at once. `onAdding` is called just
 * before an import starts (to tell the user why the first start takes a second).
 */
export async function ensureSampleDataset(o: { restore?: boolean; onAdding?: () => void; lockTimeoutMs?: number } = {}): Promise<SampleResult> {
  try {
    return await ensureSample(o);
  } catch (e) {
    // The marker, the lock and the library's folder are ours: a full or read-only home is named.
    if (isSystemError(e)) throw fromSystemError(e, { action: 'add the sample data set to the dataset library in', path: datasetsDir(), role: 'storage' });
    throw e;
  }
}

async function ensureSample(o: { restore?: boolean; onAdding?: () => void; lockTimeoutMs?: number }): Promise<SampleResult> {
  const settled = (m: Marker | null) => {
    const p = present(m);
    return p && (p.name !== null || !o.restore) ? p : null;
  };
  const before = settled(readMarker());
  if (before) return before;
  const release = await lock(o.lockTimeoutMs ?? 120_000);
  try {
    const now = settled(readMarker()); // another process may have added it while we waited
    if (now) return now;
    if (!existsSync(samplePath())) throw new EffconvError('DATASET_NOT_FOUND', `the sample data set's files are missing (${samplePath()}): reinstall`, samplePath());
    o.onAdding?.();
    const offeredAt = new Date().toISOString();
    try {
      const r = await importDataset(samplePath(), SAMPLE_DATASET.options);
      writeJsonAtomic(markerPath(), { name: r.dataset.name, sha256: r.dataset.sha256, offeredAt } satisfies Marker);
      return { name: r.dataset.name, added: r.created };
    } catch (e) {
      if (!(e instanceof EffconvError) || e.code !== 'DATASET_EXISTS') throw e;
      // The user has other data under the sample's name: theirs stays.
      const note = `the library's "${SAMPLE_DATASET.name}" holds other data, so the sample was not added`;
      writeJsonAtomic(markerPath(), { name: null, sha256: null, offeredAt, note } satisfies Marker);
      return { name: null, added: false, reason: note };
    }
  } finally {
    release();
  }
}

// Step timings from earlier probes, kept per machine in EFFCONV_HOME/step-timings.json so a
// run's estimate is instant after the first. An entry is used only on the machine that measured
// it (CPU model, cores, memory, OS), by the same app version, and for 30 days; the key already
// names the backend, its device (threads, adapter), the network and the batch size.
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { writeJsonAtomic } from '../common/atomic-write';
import { effconvHome } from '../common/paths';
import type { StageTimings, TimingCache } from '../engine/estimate/run-estimate';

declare const __APP_VERSION__: string | undefined;

interface Entry {
  timings: StageTimings;
  machine: string;
  version: string;
  measuredAt: string;
}

interface CacheFile {
  format: 'effconv.step-timings';
  version: 1;
  entries: Record<string, Entry>;
}

const MAX_ENTRIES = 200;

export function machineFingerprint(): string {
  return `${cpus()[0]?.model ?? 'unknown cpu'} · ${availableParallelism()} cores · ${Math.round(totalmem() / 2 ** 30)} GiB · ${process.platform}-${process.arch}`;
}

export const timingCachePath = (): string => join(effconvHome(), 'step-timings.json');

export function fileTimingCache(o: { path?: string; maxAgeDays?: number; version?: string; machine?: string; now?: () => number } = {}): TimingCache {
  const path = o.path ?? timingCachePath();
  const version = o.version ?? (typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev');
  const machine = o.machine ?? machineFingerprint();
  const maxAgeMs = (o.maxAgeDays ?? 30) * 86_400_000;
  const now = o.now ?? Date.now;
  const read = (): CacheFile => {
    try {
      const f = JSON.parse(readFileSync(path, 'utf8')) as CacheFile;
      if (f.format === 'effconv.step-timings' && f.version === 1 && f.entries && typeof f.entries === 'object') return f;
    } catch {
      // missing or damaged: start afresh
    }
    return { format: 'effconv.step-timings', version: 1, entries: {} };
  };
  return {
    get(key) {
      const e = read().entries[key];
      if (!e || e.machine !== machine || e.version !== version) return null;
      const age = now() - Date.parse(e.measuredAt);
      return age >= 0 && age <= maxAgeMs ? e.timings : null;
    },
    set(key, timings) {
      const f = read();
      f.entries[key] = { timings, machine, version, measuredAt: new Date(now()).toISOString() };
      const keep = Object.entries(f.entries).sort((a, b) => b[1].measuredAt.localeCompare(a[1].measuredAt)).slice(0, MAX_ENTRIES);
      f.entries = Object.fromEntries(keep);
      try {
        writeJsonAtomic(path, f);
      } catch {
        // A read-only home: the estimate still stands, it is just not kept.
      }
    },
  };
}

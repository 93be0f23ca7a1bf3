// The records of runs over the experiment store: open it (recovering runs whose process died),
// record a new run after checking what needs no data, claim a queued run for a process, put a
// stopped run back in the queue, delete runs and experiments with their own folders. The
// executors (processes/) and the service call these; none of them trains anything.
import { rmSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { BugError, EffconvError } from '../../contract/errors';
import type { RunOptions } from '../../contract/run';
import { RESUMABLE_STATUSES, type RunRow } from '../../contract/store';
import { checkConfig } from '../../engine/config';
import { backboneName, parseBackbone } from '../../engine/models/backbone';
import { formatParams, parseBudget } from '../../engine/models/params';
import {
  claimRun, deleteExperimentRows, deleteRunRow, endRun, experimentNamed, getExperiment, getRunRow, getRunSummary, insertRun, openStore, requeueRun, runsWithStatus,
  type OpenStoreOptions, type Store,
} from '../../store';
import { isProcessAlive, processToken } from '../../common/process-liveness';

/** Open the experiment database and mark runs whose process is gone as interrupted. */
export function openRunStore(path: string, o: OpenStoreOptions = {}): Store {
  const store = openStore(path, o);
  try {
    recoverInterrupted(store);
  } catch (e) {
    store.close();
    throw e;
  }
  return store;
}

/**
 * The experiment database, opened (with recovery) at its first use: a shell's command that never
 * touches runs (listing the dataset library on a read-only home) does not need it to open.
 */
export function lazyRunStore(path: string, o: OpenStoreOptions = {}): Store {
  let store: Store | null = null;
  let closed = false;
  const open = (): Store => {
    if (closed && !store) throw new BugError(`the experiment database ${path} was used after the service closed`);
    return (store ??= openRunStore(path, o));
  };
  return {
    get db() {
      return open().db;
    },
    path,
    prepare: (sql) => open().prepare(sql),
    write: (fn, w) => open().write(fn, w),
    close: () => {
      closed = true;
      store?.close();
    },
  };
}

/**
 * Runs recorded as 'running' whose process no longer exists become 'interrupted'; returns their
 * ids. A run on the fleet's queue is not: its worker goes on, and a coordinator takes it up again.
 */
export function recoverInterrupted(store: Store): number[] {
  const dead = runsWithStatus(store, 'running').filter((r) => r.fleetJob === null && (r.pid === null || !isProcessAlive(r.pid, r.pidToken)));
  for (const r of dead) {
    store.write(() => {
      // Re-check inside the write lock: the run may have ended meanwhile.
      const row = getRunRow(store, r.id);
      if (row.status !== 'running' || row.pid !== r.pid) return;
      endRun(store, r.id, 'interrupted', { code: 'RUN_INTERRUPTED', message: `its process (pid ${r.pid ?? '?'}) ended without finishing the run`, detail: '' });
    });
  }
  return dead.map((r) => r.id);
}

/** What lists call a run's experiment when the user names none: backbone, dataset and budget. */
export function deriveExperimentName(o: RunOptions, backbone: string, budget: number | null): string {
  const data = o.dataset.replace(/[\\/]+$/, '').split(/[\\/]/).pop() || o.dataset;
  return o.stages === 'train' ? `${backbone} · ${data} · retrain ${budget ? formatParams(budget) : ''}`.trim() : `${backbone} · ${data} · ${budget ? formatParams(budget) : '?'}`;
}

/** A dataset given as a path is stored absolute, so the run resumes from any working folder. */
export function canonicalDataset(spec: string): string {
  return isAbsolute(spec) || /[\\/]/.test(spec) || spec.startsWith('.') ? resolve(spec) : spec;
}

export interface NewRunRequest {
  options: RunOptions;
  /** An experiment id, or a name (created if new); default: derived from the options. */
  experiment?: number | string;
  /** Notes for the experiment, when this run creates it. */
  notes?: string;
  parentRunId?: number | null;
  /** Also write config.json and metrics.jsonl here (the CLI's --out). */
  outDir?: string | null;
  /** The folder holding every run's own folder (HomePaths.runs). */
  runsRoot: string;
}

/** Check what can be checked without reading data, then record a queued run. */
export function createRun(store: Store, r: NewRunRequest): RunRow {
  const options: RunOptions = { ...r.options, dataset: canonicalDataset(r.options.dataset) };
  let backbone: string;
  let budget: number | null;
  if (options.config !== undefined) {
    const { config } = checkConfig(options.config, { recomputeParams: true });
    backbone = backboneName(config.backbone);
    budget = config.params.budget;
  } else {
    backbone = backboneName(parseBackbone(options.backbone));
    budget = parseBudget(options.budget);
  }
  if (options.stages === 'train' && options.config === undefined) throw new EffconvError('INVALID_ARGUMENT', 'stage 2 alone needs a learned config', 'config');
  if (r.parentRunId != null) getRunRow(store, r.parentRunId);
  let experimentId: number;
  if (typeof r.experiment === 'number') experimentId = getExperiment(store, r.experiment).id;
  else experimentId = experimentNamed(store, r.experiment ?? deriveExperimentName(options, backbone, budget), options, r.notes ?? '');
  const id = insertRun(store, {
    experimentId, parentRunId: r.parentRunId ?? null, options, backbone, budget, runsRoot: r.runsRoot, outDir: r.outDir ? resolve(r.outDir) : null,
  });
  return getRunSummary(store, id);
}

/** Take a queued run for this process, or say why not. */
export function claimForThisProcess(store: Store, runId: number): void {
  if (!claimRun(store, runId, process.pid, processToken())) {
    const row = getRunRow(store, runId);
    throw new EffconvError('RUN_STATE', `run ${runId} is ${row.status}${row.pid ? ` (pid ${row.pid})` : ''}, not queued`, String(runId));
  }
}

/** Put a paused, interrupted, failed or cancelled run back in the queue to continue from its last checkpoint. */
export function queueResume(store: Store, runId: number): RunRow {
  recoverInterrupted(store);
  const row = getRunRow(store, runId);
  if (row.status === 'running') throw new EffconvError('RUN_STATE', `run ${runId} is still running (pid ${row.pid})`, String(runId));
  if (row.status === 'completed') throw new EffconvError('RUN_STATE', `run ${runId} has already completed`, String(runId));
  if (row.status === 'queued') return getRunSummary(store, runId);
  requeueRun(store, runId, RESUMABLE_STATUSES);
  return getRunSummary(store, runId);
}

/** Only a folder named by the run's id is the store's own; anything else recorded there is left alone. */
const ownFolder = (r: { id: number; dir: string }): boolean => Boolean(r.dir) && basename(r.dir) === String(r.id);

/**
 * Delete an experiment: its rows (runs, metrics, artifacts) in one transaction, then each run's
 * own folder. Files the user had written elsewhere (--out, exports) stay. Refused while one of
 * its runs is running.
 */
export function deleteExperiment(store: Store, experimentId: number): { runs: number; removedDirs: string[] } {
  recoverInterrupted(store);
  const { runs } = deleteExperimentRows(store, experimentId);
  const removedDirs = runs.filter(ownFolder).map((r) => r.dir);
  for (const d of removedDirs) rmSync(d, { recursive: true, force: true });
  return { runs: runs.length, removedDirs };
}

/** Delete one run (not while it runs): its rows, then its own folder. */
export function deleteRun(store: Store, runId: number): { removedDir: string | null } {
  recoverInterrupted(store);
  const { dir } = deleteRunRow(store, runId);
  if (!ownFolder({ id: runId, dir })) return { removedDir: null };
  rmSync(dir, { recursive: true, force: true });
  return { removedDir: dir };
}

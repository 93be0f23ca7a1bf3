// Bring one recorded run to an end in this process: continue from its last checkpoint (or
// start), record every event in the database and metrics.jsonl, checkpoint at epoch ends and
// on a timer, obey pause/cancel requests, and leave the run completed, paused, cancelled or
// failed. The executors call it: ForegroundRuns in the CLI's process, the run worker (for the
// run queue) in a process of its own.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../common/atomic-write';
import { EffconvError, isCancelled, serializeError, type SerializedError } from '../../contract/errors';
import type { TrainEvent } from '../../contract/events';
import type { BackendChoice, RunOptions } from '../../contract/run';
import type { RunStatus } from '../../contract/store';
import {
  endRun, getRunRow, MetricsRecorder, putArtifact, readRequest, recordRunResults, recordRunStart, truncateMetrics, upsertDataset, type Store,
} from '../../store';
import { loadLatestCheckpoint, saveCheckpoint } from './checkpoints';
import { datasetRecordFor } from './dataset-record';
import { truncateEventLog } from './event-log';
import { executeRun, type RunResult } from './pipeline';
import { RunOutputs } from './run-outputs';
import { metricsMark } from './run-state';

export const DEFAULT_CHECKPOINT_EVERY_MS = 5 * 60_000;

export interface StoredRunHooks {
  /** Cancel: the run stops before its next step and ends 'cancelled'. */
  signal?: AbortSignal;
  /** Every training event, after it is recorded (console progress, IPC to a parent). */
  onEvent?: (e: TrainEvent) => void;
  /** Polled between steps: true makes the run checkpoint and end 'paused'. */
  pauseRequested?: () => boolean;
  /** Checkpoint inside an epoch once this much time has passed since the last one (default 5 min). */
  checkpointEveryMs?: number;
  /** Longest time a metric row waits in memory (default 1 s). */
  flushEveryMs?: number;
}

export interface StoredRunOutcome {
  runId: number;
  status: Extract<RunStatus, 'completed' | 'paused' | 'cancelled' | 'failed'>;
  error: SerializedError | null;
  result: RunResult | null;
  /** Where config.json went (the run folder, and --out if given). */
  configPaths: string[];
  /** Whether it continued from a checkpoint, and from which step of which stage. */
  resumedFrom: { stage: 1 | 2; step: number } | null;
}

class PauseAfterCheckpoint extends Error {}

const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

export async function executeStoredRun(store: Store, runId: number, hooks: StoredRunHooks = {}): Promise<StoredRunOutcome> {
  const row = getRunRow(store, runId);
  if (row.status !== 'running' || row.pid !== process.pid) {
    throw new EffconvError('RUN_STATE', `run ${runId} is ${row.status}${row.pid ? ` in pid ${row.pid}` : ''}; claim it for this process first`, String(runId));
  }
  let options = JSON.parse(row.options) as RunOptions;
  const loaded = loadLatestCheckpoint(store, runId);
  // A run continues on the backend it started on: another one would give other numbers.
  if (loaded) options = { ...options, backend: loaded.state.backend as BackendChoice };
  else if (row.device) options = { ...options, backend: row.backend as BackendChoice };
  const mark = loaded ? metricsMark(loaded.state) : { stage: options.stages === 'train' ? (2 as const) : (1 as const), steps: 0, epochs: 0 };
  truncateMetrics(store, runId, mark);
  const logDir = row.out_dir ?? row.dir;
  truncateEventLog(join(logDir, 'metrics.jsonl'), mark);
  mkdirSync(row.dir, { recursive: true });

  const recorder = new MetricsRecorder(store, runId, { flushEveryMs: hooks.flushEveryMs });
  const outputs = new RunOutputs(logDir);
  const emit = (e: TrainEvent) => {
    recorder.record(e);
    outputs.write(e);
    hooks.onEvent?.(e);
  };
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  hooks.signal?.addEventListener('abort', onAbort);
  if (hooks.signal?.aborted) abort.abort();

  // Requests from other processes arrive through the database; read them at most every 250 ms.
  let pause = false;
  let lastPoll = 0;
  const poll = () => {
    const now = performance.now();
    if (now - lastPoll < 250) return;
    lastPoll = now;
    const request = readRequest(store, runId);
    if (request === 'cancel') abort.abort();
    if (request === 'pause') pause = true;
  };
  const pauseWanted = () => pause || Boolean(hooks.pauseRequested?.());
  const every = hooks.checkpointEveryMs ?? DEFAULT_CHECKPOINT_EVERY_MS;
  let lastCheckpoint = performance.now();

  if (loaded) {
    emit({ type: 'log', level: 'info', message: `resuming run ${runId} from its stage-${mark.stage} checkpoint at step ${mark.steps} (${loaded.artifact.path})` });
  }
  for (const s of loaded?.skipped ?? []) emit({ type: 'log', level: 'warn', message: `skipped a checkpoint: ${s}` });

  const finish = (status: StoredRunOutcome['status'], error: SerializedError | null, result: RunResult | null = null, configPaths: string[] = []): StoredRunOutcome => ({
    runId, status, error, result, configPaths, resumedFrom: loaded ? { stage: mark.stage, step: mark.steps } : null,
  });
  try {
    const result = await executeRun(options, { signal: abort.signal, onEvent: emit }, {
      resume: loaded?.state ?? null,
      started: (info) => {
        const datasetId = upsertDataset(store, datasetRecordFor(info.dataset));
        recordRunStart(store, runId, { backend: info.backend, device: info.device, datasetId, datasetName: info.dataset.name, layers: info.layers });
      },
      wantsCheckpoint: () => {
        poll();
        if (pauseWanted()) return 'pause';
        return performance.now() - lastCheckpoint >= every ? 'timer' : null;
      },
      checkpoint: (state, kernelMaps) => {
        saveCheckpoint({ store, runId, dir: row.dir, state, kernelMaps, recorder });
        lastCheckpoint = performance.now();
        poll();
        if (pauseWanted()) throw new PauseAfterCheckpoint();
      },
    }, outputs);
    recorder.flush();
    const configPaths = [outputs.writeConfig(result.config)];
    const weightsPaths = result.config.weights ? [join(logDir, result.config.weights.file)] : [];
    if (row.out_dir) {
      // The run's own folder gets the same config and weights, so exports by run id find them.
      const own = join(row.dir, 'config.json');
      writeJsonAtomic(own, result.config);
      configPaths.push(own);
      if (result.config.weights) {
        const ownWeights = join(row.dir, result.config.weights.file);
        writeFileAtomic(ownWeights, readFileSync(weightsPaths[0]));
        weightsPaths.push(ownWeights);
      }
    }
    const s = result.summary;
    store.write(() => {
      for (const p of configPaths) putArtifact(store, { runId, kind: 'config', path: p, sha256: sha256File(p), bytes: statSync(p).size, meta: { params: s.params, top1: s.top1 } });
      for (const p of weightsPaths) {
        putArtifact(store, { runId, kind: 'weights', path: p, sha256: result.config.weights!.sha256, bytes: statSync(p).size, meta: { layout: result.config.weights!.layout, steps: result.config.weights!.steps } });
      }
      const log = join(logDir, 'metrics.jsonl');
      putArtifact(store, { runId, kind: 'metrics', path: log, bytes: statSync(log).size });
      recordRunResults(store, runId, {
        sizes: s.sizes, soft: s.soft, params: s.params, top1: s.top1, top5: s.top5, searchSecondsPerEpoch: s.searchSecondsPerEpoch, trainSecondsPerEpoch: s.trainSecondsPerEpoch,
      });
      endRun(store, runId, 'completed');
    });
    return finish('completed', null, result, configPaths);
  } catch (e) {
    try {
      recorder.flush();
    } catch {
      // The rows past the last checkpoint are run again on resume anyway.
    }
    if (e instanceof PauseAfterCheckpoint) {
      endRun(store, runId, 'paused');
      return finish('paused', null);
    }
    if (isCancelled(e)) {
      endRun(store, runId, 'cancelled');
      return finish('cancelled', null);
    }
    const error = serializeError(e);
    endRun(store, runId, 'failed', error);
    return finish('failed', error);
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    outputs.close();
  }
}

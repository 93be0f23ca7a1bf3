// Bring one recorded run to an end in this process: continue from its last checkpoint (or
// start), record every event in the database and metrics.jsonl, checkpoint at epoch ends and
// on a timer, obey pause/cancel requests, and leave the run completed, paused, cancelled,
// interrupted (the machine stopped it: a full disk, an unwritable folder; resumable) or failed. The executors call it: ForegroundRuns in the CLI's process, the run worker (for the
// run queue) in a process of its own. What it records, and how, is RunRecording's (run-recording.ts),
// which the fleet's coordinator also uses for runs executed on other machines.
import { EffconvError, isCancelled, serializeError, type SerializedError } from '../../contract/errors';
import type { TrainEvent } from '../../contract/events';
import type { RunStatus } from '../../contract/store';
import { getRunRow, readRequest, type Store } from '../../store';
import { executeRun, type RunResult } from './pipeline';
import { resumePoint, RunRecording } from './run-recording';
import { storageFault } from './storage-fault';

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
  status: Extract<RunStatus, 'completed' | 'paused' | 'cancelled' | 'interrupted' | 'failed'>;
  error: SerializedError | null;
  result: RunResult | null;
  /** Where config.json went (the run folder, and --out if given). */
  configPaths: string[];
  /** Whether it continued from a checkpoint, and from which step of which stage. */
  resumedFrom: { stage: 1 | 2; step: number } | null;
}

class PauseAfterCheckpoint extends Error {}

export async function executeStoredRun(store: Store, runId: number, hooks: StoredRunHooks = {}): Promise<StoredRunOutcome> {
  const row = getRunRow(store, runId);
  if (row.status !== 'running' || row.pid !== process.pid) {
    throw new EffconvError('RUN_STATE', `run ${runId} is ${row.status}${row.pid ? ` in pid ${row.pid}` : ''}; claim it for this process first`, String(runId));
  }
  const { options, loaded, mark } = resumePoint(store, runId);
  const rec = new RunRecording(store, runId, mark, { onEvent: hooks.onEvent, flushEveryMs: hooks.flushEveryMs });
  const emit = (e: TrainEvent) => rec.event(e);
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
      started: (info) => rec.started(info),
      wantsCheckpoint: () => {
        poll();
        if (pauseWanted()) return 'pause';
        return performance.now() - lastCheckpoint >= every ? 'timer' : null;
      },
      checkpoint: (state, kernelMaps) => {
        rec.checkpoint(state, kernelMaps);
        lastCheckpoint = performance.now();
        poll();
        if (pauseWanted()) throw new PauseAfterCheckpoint();
      },
    }, rec.weightsSink);
    return finish('completed', null, result, rec.complete(result));
  } catch (e) {
    if (e instanceof PauseAfterCheckpoint) {
      rec.stopped('paused');
      return finish('paused', null);
    }
    if (isCancelled(e)) {
      rec.stopped('cancelled');
      return finish('cancelled', null);
    }
    const fault = storageFault(e, { runId, dbPath: store.path, runDir: row.dir });
    if (fault) {
      const error = serializeError(fault);
      emit({ type: 'log', level: 'warn', message: fault.message });
      rec.stopped('interrupted', error);
      return finish('interrupted', error);
    }
    const error = serializeError(e);
    rec.stopped('failed', error);
    return finish('failed', error);
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    rec.close();
  }
}

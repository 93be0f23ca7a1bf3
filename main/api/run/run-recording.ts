// The recording side of a run: what a recorded run's process does with each thing the
// pipeline reports, whichever process the pipeline runs in. executeStoredRun feeds it from
// this process; the fleet's coordinator feeds it what a remote worker streamed back. Every
// event goes to the store (MetricsRecorder) and metrics.jsonl, checkpoints are saved with
// their metric rows, and the end leaves config.json, the weights and the run's row as a local
// run leaves them.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../common/atomic-write';
import type { KernelMaps } from '../../contract/api';
import type { SerializedError } from '../../contract/errors';
import type { TrainEvent } from '../../contract/events';
import type { BackendChoice, RunOptions } from '../../contract/run';
import type { Artifact } from '../../contract/store';
import {
  endRun, getRunRow, MetricsRecorder, putArtifact, recordRunResults, recordRunStart, truncateMetrics, upsertDataset, type MetricsMark, type RunsTableRow, type Store,
} from '../../store';
import { loadLatestCheckpoint, saveCheckpoint, saveCheckpointBytes, type LoadedCheckpoint } from './checkpoints';
import { datasetRecordFor } from './dataset-record';
import { truncateEventLog } from './event-log';
import type { RunResult } from './pipeline';
import type { RunStartInfo } from './resumable-stages';
import { RunOutputs, type WeightsSink } from './run-outputs';
import { metricsMark, type SavedRunState } from './run-state';

export interface RecordingHooks {
  /** Every training event, after it is recorded (console progress, IPC, push events). */
  onEvent?: (e: TrainEvent) => void;
  /** Longest time a metric row waits in memory (default 1 s). */
  flushEveryMs?: number;
}

/** Where a recorded run continues from: its options (on the backend it started on) and its newest usable checkpoint. */
export interface ResumePoint {
  options: RunOptions;
  loaded: LoadedCheckpoint | null;
  /** The metric rows that checkpoint accounts for (zero when there is none). */
  mark: MetricsMark;
}

export function startMark(options: Pick<RunOptions, 'stages'>): MetricsMark {
  return { stage: options.stages === 'train' ? 2 : 1, steps: 0, epochs: 0 };
}

export function resumePoint(store: Store, runId: number): ResumePoint {
  const row = getRunRow(store, runId);
  let options = JSON.parse(row.options) as RunOptions;
  const loaded = loadLatestCheckpoint(store, runId);
  // A run continues on the backend it started on: another one would give other numbers.
  if (loaded) options = { ...options, backend: loaded.state.backend as BackendChoice };
  else if (row.device) options = { ...options, backend: row.backend as BackendChoice };
  return { options, loaded, mark: loaded ? metricsMark(loaded.state) : startMark(options) };
}

const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

export class RunRecording {
  readonly row: RunsTableRow;
  /** metrics.jsonl, config.json and the weights go here first (--out, else the run's folder). */
  readonly logDir: string;
  private recorder: MetricsRecorder;
  private outputs: RunOutputs;

  /** Rows and log lines past `mark` are deleted first: the steps after it run (or arrive) again. */
  constructor(
    private readonly store: Store,
    readonly runId: number,
    mark: MetricsMark,
    private readonly hooks: RecordingHooks = {},
  ) {
    this.row = getRunRow(store, runId);
    this.logDir = this.row.out_dir ?? this.row.dir;
    this.truncate(mark);
    mkdirSync(this.row.dir, { recursive: true });
    this.recorder = new MetricsRecorder(store, runId, { flushEveryMs: hooks.flushEveryMs });
    this.outputs = new RunOutputs(this.logDir);
  }

  private truncate(mark: MetricsMark): void {
    truncateMetrics(this.store, this.runId, mark);
    truncateEventLog(join(this.logDir, 'metrics.jsonl'), mark);
  }

  /** A new attempt continues from `mark` (a remote run handed to another worker): drop what came after it. */
  restartFrom(mark: MetricsMark): void {
    this.recorder.flush();
    this.outputs.close();
    this.truncate(mark);
    this.outputs = new RunOutputs(this.logDir);
  }

  /** Where stage 2 writes its weights when it runs in this process. */
  get weightsSink(): WeightsSink {
    return this.outputs;
  }

  started(info: RunStartInfo): void {
    const datasetId = upsertDataset(this.store, datasetRecordFor(info.dataset));
    recordRunStart(this.store, this.runId, { backend: info.backend, device: info.device, datasetId, datasetName: info.dataset.name, layers: info.layers });
  }

  event(e: TrainEvent): void {
    this.recorder.record(e);
    this.outputs.write(e);
    this.hooks.onEvent?.(e);
  }

  /** A checkpoint of this process's model: its file, its row and every metric row before it, together. */
  checkpoint(state: SavedRunState, kernelMaps?: KernelMaps): Artifact {
    return saveCheckpoint({ store: this.store, runId: this.runId, dir: this.row.dir, state, kernelMaps, recorder: this.recorder });
  }

  /** A checkpoint made elsewhere, as its file's bytes (already verified against their sha256). */
  checkpointBytes(bytes: Buffer, kernelMaps?: KernelMaps, meta: Record<string, unknown> = {}): Artifact {
    return saveCheckpointBytes({ store: this.store, runId: this.runId, dir: this.row.dir, bytes, kernelMaps, recorder: this.recorder, meta });
  }

  /** Stage-2 weights made elsewhere, into the folder a local run writes them to. */
  placeWeights(file: string, bytes: Uint8Array): void {
    writeFileAtomic(join(this.logDir, file), bytes);
  }

  /** The run ended well: config.json (and the weights) in its folders, its files and results recorded, status completed. Returns where config.json went. */
  complete(result: RunResult): string[] {
    this.recorder.flush();
    const configPaths = [this.outputs.writeConfig(result.config)];
    const weightsPaths = result.config.weights ? [join(this.logDir, result.config.weights.file)] : [];
    const { store, runId, row } = this;
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
      const log = join(this.logDir, 'metrics.jsonl');
      putArtifact(store, { runId, kind: 'metrics', path: log, bytes: statSync(log).size });
      recordRunResults(store, runId, {
        sizes: s.sizes, soft: s.soft, params: s.params, top1: s.top1, top5: s.top5, searchSecondsPerEpoch: s.searchSecondsPerEpoch, trainSecondsPerEpoch: s.trainSecondsPerEpoch,
      });
      endRun(store, runId, 'completed');
    });
    return configPaths;
  }

  /** The run stopped without completing: what was recorded stays, the status says why. */
  stopped(status: 'paused' | 'cancelled' | 'interrupted' | 'failed', error: SerializedError | null = null): void {
    try {
      this.recorder.flush();
    } catch {
      // The rows past the last checkpoint are run again on resume anyway.
    }
    try {
      endRun(this.store, this.runId, status, error);
    } catch (e) {
      // The database itself cannot be written (the disk it is on is full): the row stays
      // 'running' with this dead process's pid, and the next start marks it interrupted.
      if (status !== 'interrupted') throw e;
    }
  }

  /** Commit what is buffered (a remote run's events before a pause, or before the coordinator leaves). */
  flush(): void {
    this.recorder.flush();
  }

  close(): void {
    this.outputs.close();
  }
}

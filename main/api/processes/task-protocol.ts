// One-off tasks that must not block the UI's process: probing the backends (it loads native
// and wasm code), importing a dataset (decoding thousands of images), downloading one (a
// stream of megabytes, then an import), adding the bundled sample, exporting a run or a sweep
// (rendering its figures), drawing kernel maps from an old checkpoint (building models with
// tfjs), estimating runs (a probe of their networks), opening a data set by path to learn its
// shape. In the desktop and web modes each runs in its own process (out/main/task.js); the CLI
// runs them in its own.
import type { DoctorReport, ExportRequest, ExportSweepRequest, ImportOutcome, ImportRequest, KernelMaps } from '../../contract/api';
import type { DownloadOutcome } from '../../contract/download';
import type { RunOptions } from '../../contract/run';
import type { Registry } from '../../data/download/registry';
import type { SampleResult } from '../../data/sample';
import type { ProbedEstimate } from '../../engine/estimate/run-estimate';
import type { SerializedError } from '../../contract/errors';
import type { ExportRunResult, ExportSweepResult } from '../../contract/export';
import type { DatasetPackage } from './fleet/fleet-datasets';

export type TaskRequest =
  | { kind: 'doctor' }
  | { kind: 'import'; request: ImportRequest }
  /** `registry`: another registry than the app's (tests); plain data, it crosses to the task's process as JSON. */
  | { kind: 'download'; name: string; mirror?: string; registry?: Registry }
  /** The bundled sample into the library: once ever, or back after a removal (`restore`). */
  | { kind: 'sample'; restore: boolean }
  /** One estimate per run; `keep`: cache what the probe measures; `wasmThreads`: probe at a sweep point's share of the cores. */
  | { kind: 'estimate'; runs: RunOptions[]; keep: boolean; wasmThreads?: number }
  /** `out` and `force` are already resolved by the service (its default export folder). */
  | { kind: 'export'; dbPath: string; request: ExportRequest }
  /** As 'export': `out` and `force` resolved by the service; no `out`: beside the working folder. */
  | { kind: 'export-sweep'; dbPath: string; request: ExportSweepRequest }
  | { kind: 'kernel-maps'; dbPath: string; runId: number }
  /** The shape of a data set given by path (opening it reads it whole). */
  | { kind: 'dataset-shape'; spec: string }
  /** What a fleet's worker needs to have a run's data set: its name, sha256 and files (an idx folder is read whole for its sha256). */
  | { kind: 'fleet-dataset'; spec: string }
  /** Start a backend as a run would (the best available for 'auto'): which one, on what device (a fleet worker's description). */
  | { kind: 'backend'; name: 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu' };

/** What each kind of task answers. */
export interface TaskResults {
  doctor: DoctorReport;
  import: ImportOutcome;
  download: DownloadOutcome;
  sample: SampleResult;
  estimate: ProbedEstimate[];
  export: ExportRunResult;
  'export-sweep': ExportSweepResult;
  'kernel-maps': KernelMaps;
  'dataset-shape': DatasetShape;
  backend: { name: string; device: string };
  'fleet-dataset': DatasetPackage;
}

export interface DatasetShape {
  height: number;
  width: number;
  channels: number;
  classes: number;
}

export type TaskResult<R extends TaskRequest> = TaskResults[R['kind']];

export interface TaskProgress {
  phase: string;
  done: number;
  total: number;
  etaSeconds: number | null;
  /** Default 'items'. */
  unit?: 'items' | 'bytes';
  /** A download's file. */
  file?: { name: string; index: number; files: number };
  bytesPerSecond?: number;
}

export type ToTask = { type: 'cancel' };

export type FromTask = ({ type: 'progress' } & TaskProgress) | { type: 'result'; value: unknown } | { type: 'error'; error: SerializedError };

export function taskArgs(r: TaskRequest): string[] {
  return ['--task', JSON.stringify(r)];
}

export const TASK_SCRIPT = 'task.js';

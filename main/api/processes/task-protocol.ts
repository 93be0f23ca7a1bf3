// One-off tasks that must not block the UI's process: probing the backends (it loads native
// and wasm code), importing a dataset (decoding thousands of images), exporting a run and
// drawing kernel maps from an old checkpoint (building models with tfjs), opening a data set
// by path to learn its shape. In the desktop and web modes each runs in its own process
// (out/main/task.js); the CLI runs them in its own.
import type { DoctorReport, ExportRequest, ImportOutcome, ImportRequest, KernelMaps } from '../../contract/api';
import type { SerializedError } from '../../contract/errors';
import type { ExportRunResult } from '../../contract/export';
import type { DatasetPackage } from './fleet/fleet-datasets';

export type TaskRequest =
  | { kind: 'doctor' }
  | { kind: 'import'; request: ImportRequest }
  /** `out` and `force` are already resolved by the service (its default export folder). */
  | { kind: 'export'; dbPath: string; request: ExportRequest }
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
  export: ExportRunResult;
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
}

export type ToTask = { type: 'cancel' };

export type FromTask = ({ type: 'progress' } & TaskProgress) | { type: 'result'; value: unknown } | { type: 'error'; error: SerializedError };

export function taskArgs(r: TaskRequest): string[] {
  return ['--task', JSON.stringify(r)];
}

export const TASK_SCRIPT = 'task.js';

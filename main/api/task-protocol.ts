// One-off tasks that must not block the UI process: probing the backends (it loads native
// and wasm code), importing a dataset (decoding thousands of images) and exporting a run
// (building models with tfjs). Each runs in its own process (out/main/task.js).
import type { DoctorReport, ExportFormat, ImportRequest } from '../contract/api';
import type { SerializedError } from '../contract/errors';

export type TaskRequest =
  | { kind: 'doctor' }
  | { kind: 'import'; request: ImportRequest }
  | { kind: 'export'; dbPath: string; runId: number; format: ExportFormat; out: string };

export type ToTask = { type: 'cancel' };

export type FromTask =
  | { type: 'progress'; phase: string; done: number; total: number; etaSeconds: number | null }
  | { type: 'result'; value: unknown }
  | { type: 'error'; error: SerializedError };

export type TaskResult<R extends TaskRequest> = R extends { kind: 'doctor' } ? DoctorReport : unknown;

export function taskArgs(r: TaskRequest): string[] {
  return ['--task', JSON.stringify(r)];
}

export const TASK_SCRIPT = 'task.js';

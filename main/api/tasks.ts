// Running a task in its own process and turning its messages into a promise with progress.
import { EffconvError, deserializeError } from '../contract/errors';
import type { WorkerLauncher } from './jobs';
import { taskArgs, type FromTask, type TaskRequest, type ToTask } from './task-protocol';

export type TaskLauncher = WorkerLauncher<ToTask, FromTask>;

export interface TaskHooks {
  onProgress?: (p: Extract<FromTask, { type: 'progress' }>) => void;
  signal?: AbortSignal;
}

export function runTask(launcher: TaskLauncher, request: TaskRequest, hooks: TaskHooks = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = launcher.launch(taskArgs(request));
    let settled = false;
    let killTimer: ReturnType<typeof setTimeout> | null = null;
    const onAbort = () => {
      child.send({ type: 'cancel' });
      // A task that does not stop within 20 s is killed; imports clean up dead leftovers.
      killTimer ??= setTimeout(() => child.kill(), 20_000);
    };
    hooks.signal?.addEventListener('abort', onAbort);
    if (hooks.signal?.aborted) onAbort();
    const done = (f: () => void) => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      f();
    };
    child.onMessage((m) => {
      if (m.type === 'progress') hooks.onProgress?.(m);
      else if (m.type === 'result') done(() => resolve(m.value));
      else if (m.type === 'error') done(() => reject(deserializeError(m.error)));
    });
    child.onExit((code, signal) => {
      done(() =>
        reject(
          hooks.signal?.aborted
            ? new EffconvError('CANCELLED', `the ${request.kind} was cancelled`)
            : new EffconvError('INTERNAL', `the ${request.kind} process ${signal ? `was killed (${signal})` : `exited with code ${code}`} before answering`),
        ),
      );
    });
  });
}

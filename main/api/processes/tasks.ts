// Running a task and turning what it reports into a promise with progress: in a process of its
// own (desktop and web: the UI's process stays free) or in this one (the CLI).
import { EffconvError, deserializeError } from '../../contract/errors';
import type { WorkerLauncher } from './launcher';
import { runTaskHere } from './task-handlers';
import { taskArgs, type FromTask, type TaskProgress, type TaskRequest, type TaskResult, type ToTask } from './task-protocol';

export type TaskLauncher = WorkerLauncher<ToTask, FromTask>;

export interface TaskHooks {
  onProgress?: (p: TaskProgress) => void;
  signal?: AbortSignal;
}

export type TaskRunner = <R extends TaskRequest>(request: R, hooks?: TaskHooks) => Promise<TaskResult<R>>;

/** Each task in a process of its own (task.js); a task that ignores a cancel for 20 s is killed. */
export function processTasks(launcher: TaskLauncher): TaskRunner {
  return <R extends TaskRequest>(request: R, hooks: TaskHooks = {}) =>
    new Promise<TaskResult<R>>((resolve, reject) => {
      const child = launcher.launch(taskArgs(request));
      let settled = false;
      let killTimer: ReturnType<typeof setTimeout> | null = null;
      const onAbort = () => {
        child.send({ type: 'cancel' });
        // Imports clean up what a killed one left the next time the library is opened.
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
        if (m.type === 'progress') {
          const { type: _, ...progress } = m;
          hooks.onProgress?.(progress);
        }
        else if (m.type === 'result') done(() => resolve(m.value as TaskResult<R>));
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

/** Tasks in this process (the CLI, which has no UI to keep free). */
export function inProcessTasks(): TaskRunner {
  return <R extends TaskRequest>(request: R, hooks: TaskHooks = {}) =>
    runTaskHere(request, { signal: hooks.signal ?? new AbortController().signal, onProgress: (p) => hooks.onProgress?.(p) }) as Promise<TaskResult<R>>;
}

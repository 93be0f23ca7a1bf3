// Starting worker processes: what a started worker looks like to its parent, whatever started
// it (child_process.fork here; the Electron shell supplies utilityProcess.fork), where the
// built worker scripts are, and the lower priority run workers get.
import { fork, type Serializable } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { BugError } from '../../contract/errors';
import type { FromWorker, ToWorker } from './worker-protocol';

/** A started worker process (run workers by default; task workers too). */
export interface WorkerHandle<In = ToWorker, Out = FromWorker> {
  readonly pid: number | undefined;
  send(m: In): void;
  /** Stop it at once (SIGKILL or the platform's equivalent). */
  kill(): void;
  onMessage(f: (m: Out) => void): void;
  onExit(f: (code: number | null, signal: string | null) => void): void;
}

/** Starts a worker script (out/main/worker.js, out/main/task.js) with these arguments (and these variables added to its environment). */
export interface WorkerLauncher<In = ToWorker, Out = FromWorker> {
  launch(args: string[], env?: Record<string, string>): WorkerHandle<In, Out>;
}

/** A built worker script (out/main/worker.js, out/main/task.js), from the bundle or from the source tree. */
export function builtWorkerPath(script = 'worker.js'): string {
  const here = import.meta.dirname;
  // In the bundle this module is out/main/*.js; in the source tree (tests) main/api/processes/.
  const candidates = [join(here, script), join(here, '..', script), join(here, '..', '..', '..', 'out', 'main', script)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new BugError(`the worker script ${script} is not built (looked in ${candidates.join(', ')}): run npm run build`);
  return found;
}

/**
 * Training competes with the UI for the same cores: run workers start at a lower scheduling
 * priority (nice 5) so the window and the web server stay responsive; a busy machine then
 * slows the run, not the interface.
 */
export const RUN_WORKER_NICE = 5;

export function lowerPriority(pid: number | undefined, nice = RUN_WORKER_NICE): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, nice);
  } catch {
    // Not permitted on this platform or account: the run still works at normal priority.
  }
}

/** child_process.fork of a worker script: the web mode's launcher. */
export function nodeWorkerLauncher<In = ToWorker, Out = FromWorker>(
  workerPath: string = builtWorkerPath(), env: NodeJS.ProcessEnv = process.env, o: { nice?: number } = {},
): WorkerLauncher<In, Out> {
  return {
    launch(args, extra) {
      const child = fork(workerPath, args, { env: { ...env, ...extra }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
      if (o.nice !== undefined) lowerPriority(child.pid, o.nice);
      return {
        get pid() {
          return child.pid;
        },
        send: (m) => {
          if (child.connected) child.send(m as Serializable);
        },
        kill: () => child.kill('SIGKILL'),
        onMessage: (f) => child.on('message', (m) => f(m as Out)),
        onExit: (f) => child.on('exit', (code, signal) => f(code, signal)),
      };
    },
  };
}

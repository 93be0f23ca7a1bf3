// Long tasks the UI follows (imports, downloads): each gets an id, its progress and outcome go
// to every shell as 'task' push events, and cancelTask stops it by id. One registry for the
// service, so a cancel finds any of them.
import { randomBytes } from 'node:crypto';
import type { PushEvent, TaskEvent, TaskInfo, TaskStatus } from '../../contract/api';
import { EffconvError, isCancelled, serializeError, type SerializedError } from '../../contract/errors';
import type { TaskProgress, TaskRequest, TaskResult } from '../processes/task-protocol';
import type { TaskRunner } from '../processes/tasks';

/** What every event of one task carries besides its progress: the kind, and for a download its name. */
export type TaskIdentity = { task: 'import' } | { task: 'download'; name: string };

interface Running {
  abort: AbortController;
  /** Another call for the same thing (a download of the same set) follows this task instead of starting one. */
  key: string | null;
}

export class TrackedTasks {
  readonly #running = new Map<string, Running>();

  constructor(
    private readonly tasks: TaskRunner,
    private readonly publish: (e: PushEvent) => void,
  ) {}

  get size(): number {
    return this.#running.size;
  }

  /** The running task started with this key, if any. */
  find(key: string): string | null {
    for (const [id, r] of this.#running) if (r.key === key) return id;
    return null;
  }

  /**
   * Start `request` as a task followed by push events; `donePhase` words the outcome for the
   * last event. Returns at once with the task's id.
   */
  start<R extends TaskRequest>(request: R, identity: TaskIdentity, o: { key?: string; donePhase: (result: TaskResult<R>) => string }): TaskInfo {
    const id = `${identity.task}-${randomBytes(6).toString('hex')}`;
    const abort = new AbortController();
    this.#running.set(id, { abort, key: o.key ?? null });
    const emit = (e: Omit<TaskProgress, 'unit'> & { unit?: TaskEvent['unit']; status: TaskStatus; result?: unknown; error?: SerializedError }) =>
      this.publish({ kind: 'task', taskId: id, ...identity, ...e, unit: e.unit ?? 'items' } as TaskEvent);
    emit({ phase: 'starting', done: 0, total: 0, etaSeconds: null, status: 'running' });
    // The task leaves the registry before its last event, so a listing made on that event no longer shows it running.
    void this.tasks(request, { signal: abort.signal, onProgress: (p: TaskProgress) => emit({ ...p, status: 'running' }) }).then(
      (result) => {
        this.#running.delete(id);
        emit({ phase: o.donePhase(result), done: 1, total: 1, etaSeconds: 0, status: 'done', result });
      },
      (e: unknown) => {
        this.#running.delete(id);
        const cancelled = abort.signal.aborted || isCancelled(e);
        emit({
          phase: cancelled ? 'cancelled' : 'failed', done: 0, total: 0, etaSeconds: null, status: cancelled ? 'cancelled' : 'failed',
          ...(cancelled ? {} : { error: serializeError(e) }),
        });
      },
    );
    return { id };
  }

  cancel(taskId: string): void {
    const task = this.#running.get(taskId);
    if (!task) throw new EffconvError('NOT_FOUND', `no running task ${taskId}`, taskId);
    task.abort.abort();
  }
}

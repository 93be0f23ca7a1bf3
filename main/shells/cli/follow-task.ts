// Following a task the Api started (an import, a download) in the terminal: its progress events
// to a callback, its outcome as the promise's value or error; Ctrl-C asks the Api to cancel it
// (twice: quit at once; the next command clears what a killed import left).
import type { PushEvent, TaskEvent, TaskInfo } from '../../contract/api';
import { EffconvError, deserializeError } from '../../contract/errors';
import type { Service } from '../../api/service/service';

type EventOf<K extends TaskEvent['task']> = Extract<TaskEvent, { task: K }>;
export type TaskOutcome<K extends TaskEvent['task']> = NonNullable<EventOf<K>['result']>;

export interface FollowTaskOptions<K extends TaskEvent['task']> {
  onProgress?: (e: EventOf<K>) => void;
  /** Said on the first Ctrl-C. */
  cancelling: string;
  /** The error a cancelled task ends with. */
  cancelled: string;
}

export async function followTask<K extends TaskEvent['task']>(service: Service, task: K, start: () => Promise<TaskInfo>, o: FollowTaskOptions<K>): Promise<TaskOutcome<K>> {
  let taskId: string | null = null;
  // The task runs in this process: its first events may arrive before its id does.
  const early: PushEvent[] = [];
  let settle: { resolve: (v: TaskOutcome<K>) => void; reject: (e: Error) => void } | null = null;
  const outcome = new Promise<TaskOutcome<K>>((resolve, reject) => (settle = { resolve: (v) => resolve(v as never), reject }));
  const onEvent = (e: PushEvent) => {
    if (e.kind !== 'task' || e.task !== task) return;
    if (taskId === null) return void early.push(e);
    if (e.taskId !== taskId) return;
    const ev = e as EventOf<K>;
    if (ev.status === 'running') o.onProgress?.(ev);
    else if (ev.status === 'done') settle!.resolve(ev.result as TaskOutcome<K>);
    else if (ev.status === 'cancelled') settle!.reject(new EffconvError('CANCELLED', o.cancelled));
    else settle!.reject(deserializeError(ev.error ?? { code: 'INTERNAL', message: `the ${task} failed`, detail: '' }));
  };
  const unsubscribe = service.hub.subscribe(onEvent);
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1 || taskId === null) process.exit(130);
    process.stderr.write(`\n${o.cancelling} (Ctrl-C again to quit at once)\n`);
    void service.api.cancelTask(taskId).catch(() => {});
  };
  process.on('SIGINT', onSigint);
  try {
    taskId = (await start()).id;
    for (const e of early.splice(0)) onEvent(e);
    return await outcome;
  } finally {
    unsubscribe();
    process.off('SIGINT', onSigint);
  }
}

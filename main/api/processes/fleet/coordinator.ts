// A shell's executor when a fleet may be used: its local executor beside the fleet's (if a
// queue is given or remembered), with the fleet's settings read once (settings.ts).
import type { Redis } from 'ioredis';
import { settings } from '../../../common/settings';
import type { Store } from '../../../store';
import { RoutedRuns } from '../routed-runs';
import type { RunExecutor } from '../run-executor';
import type { TaskRunner } from '../tasks';
import { FleetExecutor } from './fleet-executor';
import type { QueueTarget } from './queue-url';
import { writeQueueSetting } from './queue-setting';

export interface CoordinatorOptions {
  /** The queue to use from the start (a flag, EFFCONV_QUEUE, or the remembered setting). */
  queue: QueueTarget | null;
  /** Its connection, when the shell checked it first (connectQueue); else one that keeps trying. */
  redis?: Redis | null;
  /** Remember a queue set through the Api in this home folder (the GUI's setting). */
  rememberIn?: string;
  /** Take up fleet runs whose follower died (the app, serve); a terminal command follows only its own. */
  adopt: boolean;
  checkpointEveryMs?: number;
  /** Where a run's data set is described for the workers (the app: a task process, which reads an idx folder whole). */
  tasks?: TaskRunner;
}

export function coordinatorRuns(store: Store, local: RunExecutor, o: CoordinatorOptions): RoutedRuns {
  const s = settings().fleet;
  const make = (queue: QueueTarget, redis: Redis | null) =>
    new FleetExecutor({
      store, queue, redis, attempts: s.attempts, retryMs: s.retryMs, adopt: o.adopt, checkpointEveryMs: o.checkpointEveryMs,
      describeDataset: o.tasks ? (spec) => o.tasks!({ kind: 'fleet-dataset', spec }) : undefined,
    });
  return new RoutedRuns(store, local, o.queue ? make(o.queue, o.redis ?? null) : null, {
    fleet: make,
    remember: o.rememberIn ? (url) => writeQueueSetting(o.rememberIn!, url) : undefined,
  });
}

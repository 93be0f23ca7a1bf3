// Runs on the fleet's queue, as the coordinator records them: which database this is (its
// jobs' namespace in a shared Redis), handing a queued run to the fleet, the worker that
// started it, and the runs a coordinator follows (its own, and those whose follower died).
import { EffconvError } from '../contract/errors';
import type { Store } from './db';
import { getRunRow } from './runs';

/** A random name for this database, made by migration 4. */
export function storeId(store: Store): string {
  const r = store.prepare<[], { value: string }>(`SELECT value FROM store_info WHERE key = 'id'`).get();
  if (!r) throw new EffconvError('DATABASE_UNAVAILABLE', `${store.path} has no store id (store_info); it was not migrated by this version`, store.path);
  return r.value;
}

/** A queued run goes to the fleet: its job id, and the process that follows it (records what its worker streams back). */
export function assignToFleet(store: Store, id: number, o: { jobId: string; pid: number; pidToken: string | null }, now = Date.now()): void {
  store.write(() => {
    const row = getRunRow(store, id);
    if (row.status !== 'queued') throw new EffconvError('RUN_STATE', `run ${id} is ${row.status}, not queued`, String(id));
    store.prepare('UPDATE runs SET fleet_job = ?, pid = ?, pid_token = ?, updated_at = ? WHERE id = ?').run(o.jobId, o.pid, o.pidToken, now, id);
  });
}

/** A worker started (or took over) the run. */
export function fleetRunStarted(store: Store, id: number, w: { worker: string; host: string }, now = Date.now()): void {
  store
    .prepare(
      `UPDATE runs SET status = 'running', worker = ?, worker_host = ?, started_at = coalesce(started_at, ?), ended_at = NULL,
         error_code = NULL, error = NULL, error_detail = NULL, updated_at = ? WHERE id = ? AND fleet_job IS NOT NULL AND status IN ('queued', 'running')`,
    )
    .run(w.worker, w.host, now, now, id);
}

export interface FleetRunRow {
  id: number;
  status: 'queued' | 'running';
  fleetJob: string;
  pid: number | null;
  pidToken: string | null;
  queuedAt: number | null;
}

/** Runs on the fleet's queue that have not ended. */
export function activeFleetRuns(store: Store): FleetRunRow[] {
  return store
    .prepare<[], { id: number; status: 'queued' | 'running'; fleet_job: string; pid: number | null; pid_token: string | null; queued_at: number | null }>(
      `SELECT id, status, fleet_job, pid, pid_token, queued_at FROM runs WHERE fleet_job IS NOT NULL AND status IN ('queued', 'running') ORDER BY queued_at, id`,
    )
    .all()
    .map((r) => ({ id: r.id, status: r.status, fleetJob: r.fleet_job, pid: r.pid, pidToken: r.pid_token, queuedAt: r.queued_at }));
}

/** Become a fleet run's follower if its follower is still `from` (compare and set); false if another process took it. */
export function takeFleetRun(store: Store, id: number, from: { pid: number | null; pidToken: string | null }, to: { pid: number; pidToken: string | null }, now = Date.now()): boolean {
  const r = store
    .prepare(
      `UPDATE runs SET pid = ?, pid_token = ?, updated_at = ? WHERE id = ? AND fleet_job IS NOT NULL AND status IN ('queued', 'running')
         AND pid IS ? AND pid_token IS ?`,
    )
    .run(to.pid, to.pidToken, now, id, from.pid, from.pidToken);
  return r.changes === 1;
}

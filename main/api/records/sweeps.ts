// The records of sweeps: recording one (experiment, point runs and grid in one transaction),
// and reading one back with what its points' runs say: the sweep's status, each point's
// place on the Pareto front of its dataset, and an ETA from the points finished so far.
import type { RunStatus } from '../../contract/store';
import type { PlannedPoint, SweepDetail, SweepGrid, SweepPlan, SweepPoint, SweepRunOptions, SweepStatus, SweepSummary } from '../../contract/sweep';
import { paretoFlags } from '../../common/pareto';
import type { NetworkSpec } from '../../engine/models/backbone';
import { getSweepRecord, insertSweep, listSweepRecords, sweepPointRows, type StoredSweepPoint, type Store, type SweepRecord } from '../../store';
import { pointRunOptions } from './sweep-grid';

export interface NewSweepRequest {
  name: string;
  notes: string;
  grid: SweepGrid;
  plan: SweepPlan;
  /** The network of each backbone × dataset (key `backbone\ndataset`), for the baselines' configs. */
  nets: Map<string, NetworkSpec>;
  options: SweepRunOptions;
  parallel: number;
  runsRoot: string;
}

export function recordSweep(store: Store, r: NewSweepRequest): { sweepId: number; runIds: number[] } {
  const points = r.plan.points.map((point: PlannedPoint) => ({
    point,
    backbone: point.backbone,
    options: pointRunOptions(point, r.options, r.nets.get(`${point.backbone}\n${point.dataset}`)!),
  }));
  const { sweepId, runIds } = insertSweep(store, { name: r.name, notes: r.notes, grid: r.grid, options: r.options, parallel: r.parallel, points, runsRoot: r.runsRoot });
  return { sweepId, runIds };
}

const RESUMABLE: RunStatus[] = ['paused', 'interrupted', 'cancelled'];

/** A sweep's status from its points' (and whether it was cancelled). */
export function sweepStatus(cancelled: boolean, counts: Partial<Record<RunStatus, number>>, total: number): SweepStatus {
  const n = (s: RunStatus) => counts[s] ?? 0;
  if (n('running') > 0) return 'running';
  if (n('queued') > 0) return n('queued') === total ? 'queued' : 'running';
  if (n('completed') === total) return 'completed';
  if (cancelled) return 'cancelled';
  if (RESUMABLE.some((s) => n(s) > 0)) return 'paused';
  return 'partial';
}

const seconds = (p: StoredSweepPoint): number | null => (p.startedAt && p.endedAt ? (Date.parse(p.endedAt) - Date.parse(p.startedAt)) / 1000 : null);

/**
 * Seconds until the sweep is done: each waiting point takes the mean time of the finished
 * points of its kind, a running one that mean minus what it has run, divided among the
 * points run at once. Null while some kind has no finished point to go by.
 */
function eta(points: StoredSweepPoint[], parallel: number, now = Date.now()): number | null {
  const done = (kind: string) => points.filter((p) => p.kind === kind && p.status === 'completed').map(seconds).filter((s): s is number => s !== null);
  const mean = new Map<string, number | null>();
  for (const kind of ['search', 'baseline']) {
    const d = done(kind);
    mean.set(kind, d.length ? d.reduce((a, b) => a + b, 0) / d.length : null);
  }
  let total = 0;
  for (const p of points) {
    if (p.status !== 'queued' && p.status !== 'running') continue;
    const m = mean.get(p.kind);
    if (m == null) return null;
    total += p.status === 'running' && p.startedAt ? Math.max(0, m - (now - Date.parse(p.startedAt)) / 1000) : m;
  }
  return total / parallel;
}

function countByStatus(points: { status: RunStatus }[]): Partial<Record<RunStatus, number>> {
  const counts: Partial<Record<RunStatus, number>> = {};
  for (const p of points) counts[p.status] = (counts[p.status] ?? 0) + 1;
  return counts;
}

function summary(rec: SweepRecord, points: StoredSweepPoint[]): SweepSummary {
  const counts = countByStatus(points);
  return {
    id: rec.id, name: rec.name, notes: rec.notes, experimentId: rec.experimentId, status: sweepStatus(rec.cancelled, counts, points.length), parallel: rec.parallel,
    grid: rec.grid, options: rec.options, total: points.length, counts, etaSeconds: eta(points, rec.parallel), createdAt: rec.createdAt, updatedAt: rec.updatedAt,
  };
}

/** Completed points are on the front of their dataset's points or not; the others never are. */
function frontOf(points: StoredSweepPoint[]): Set<number> {
  const front = new Set<number>();
  const done = points.filter((p) => p.status === 'completed' && p.params !== null && p.top1 !== null);
  for (const dataset of new Set(done.map((p) => p.dataset))) {
    const of = done.filter((p) => p.dataset === dataset);
    paretoFlags(of.map((p) => ({ params: p.params!, top1: p.top1! }))).forEach((f, i) => f && front.add(of[i].index));
  }
  return front;
}

export function sweepDetail(store: Store, sweepId: number): SweepDetail {
  const rec = getSweepRecord(store, sweepId);
  const stored = sweepPointRows(store, sweepId);
  const front = frontOf(stored);
  const points: SweepPoint[] = stored.map(({ startedAt: _s, endedAt: _e, ...p }, i) => ({ ...p, seconds: p.status === 'completed' ? seconds(stored[i]) : null, onFront: front.has(p.index) }));
  return { ...summary(rec, stored), points };
}

export function sweepSummaries(store: Store): SweepSummary[] {
  return listSweepRecords(store).map((rec) => summary(rec, sweepPointRows(store, rec.id)));
}

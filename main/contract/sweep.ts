// A sweep: one experiment whose runs are the points of a grid (budgets × backbones × datasets ×
// seeds, plus the all-3×3 baseline per backbone × dataset × seed), read as accuracy against
// parameters. What a sweep is lives here and in the store; where its runs execute is the
// executor's business (the local queue, or a fleet). Plain JSON values only.
import type { SerializedError } from './errors';
import type { RunOptions } from './run';
import type { RunProgress, RunStatus } from './store';

/** A budget as the user wrote it, resolved: a parameter count, or a multiple of the backbone's all-3×3 count. */
export type BudgetTerm = { kind: 'params'; params: number; label: string } | { kind: 'relative'; factor: number; label: string };

/** The options every point shares (each point sets backbone, dataset, budget, seed and stages). */
export type SweepRunOptions = Omit<RunOptions, 'backbone' | 'dataset' | 'budget' | 'seed' | 'stages' | 'config'>;

export interface SweepGrid {
  budgets: BudgetTerm[];
  backbones: string[];
  datasets: string[];
  seeds: number[];
  /** Add the all-3×3 network of each backbone × dataset × seed, trained with the same stage-2 protocol (no search). */
  baseline: boolean;
}

/**
 * queued: no point has started; running: some point is queued or running; paused: nothing
 * runs and some points wait to be resumed; completed: every point completed; partial: nothing
 * runs or waits and some points failed; cancelled: cancelled by request.
 */
export const SWEEP_STATUSES = ['queued', 'running', 'paused', 'completed', 'partial', 'cancelled'] as const;
export type SweepStatus = (typeof SWEEP_STATUSES)[number];

export type SweepPointKind = 'search' | 'baseline';

/** One point of the grid as planned, before its run exists. */
export interface PlannedPoint {
  index: number;
  kind: SweepPointKind;
  backbone: string;
  dataset: string;
  seed: number;
  /** The budget term as written ("0.5x", "400k"); null for a baseline. */
  budgetLabel: string | null;
  /** The parameter budget it searches under; a baseline's is its own all-3×3 count. */
  budget: number;
}

/** What a sweep request would run, and the reachable budgets of each backbone × dataset. */
export interface SweepPlan {
  points: PlannedPoint[];
  ranges: { backbone: string; dataset: string; min: number; baseline: number; max: number; layers: number }[];
}

/** A point with its run's state and results. */
export interface SweepPoint extends PlannedPoint {
  runId: number;
  status: RunStatus;
  progress: RunProgress | null;
  error: SerializedError | null;
  params: number | null;
  top1: number | null;
  top5: number | null;
  /** Learned sizes (the baseline's are all 3), in the order of `layers`. */
  sizes: number[] | null;
  layers: string[] | null;
  searchSecondsPerEpoch: number | null;
  trainSecondsPerEpoch: number | null;
  /** Wall seconds from start to end, for a finished point. */
  seconds: number | null;
  /** Completed, and no completed point of the same dataset has at most its parameters and a higher top-1 (or fewer parameters at the same top-1). */
  onFront: boolean;
}

export interface SweepSummary {
  id: number;
  name: string;
  notes: string;
  experimentId: number;
  status: SweepStatus;
  /** Points run at once on this machine. */
  parallel: number;
  grid: SweepGrid;
  options: SweepRunOptions;
  total: number;
  /** Points per run status (statuses with none left out). */
  counts: Partial<Record<RunStatus, number>>;
  /** Seconds until every point is done, from the points finished so far (null before the first). */
  etaSeconds: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface SweepDetail extends SweepSummary {
  points: SweepPoint[];
}

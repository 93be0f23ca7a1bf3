// What the experiment store answers: experiments, runs, their metrics, size histories,
// artifacts and the Pareto view, as plain JSON values (no Node, Electron or DOM API here).
import type { SerializedError } from './errors';
import type { Stage, TrainEvent } from './events';
import type { RunOptions } from './run';

export const RUN_STATUSES = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
/**
 * queued: waiting for the run queue; running: a live process is training it; paused: stopped
 * on request after a checkpoint; completed; failed: an error stopped it; cancelled: stopped on
 * request (not a failure); interrupted: its process died (crash, kill -9, power loss).
 * paused, interrupted, failed and cancelled runs can be resumed from their last checkpoint.
 */
export type RunStatus = (typeof RUN_STATUSES)[number];
export const RESUMABLE_STATUSES: readonly RunStatus[] = ['paused', 'interrupted', 'failed', 'cancelled'];

/** The dataset library's metadata as the store keeps a copy of it (keyed by name + sha256). */
export interface DatasetRow {
  name: string;
  /** Hex digest of the data set's files; null when unknown. */
  sha256: string | null;
  /** Where it came from (a folder, a URL). */
  source?: string | null;
  /** idx, cifar-binary, image-folder, … */
  format?: string | null;
  height: number;
  width: number;
  channels: number;
  classes: number;
  trainCount?: number | null;
  testCount?: number | null;
  /** Anything else the library records (class names, mean/std, …). */
  meta?: Record<string, unknown>;
}

export interface StoredDataset extends DatasetRow {
  id: number;
  createdAt: string;
  updatedAt: string;
}

export interface ExperimentSummary {
  id: number;
  name: string;
  notes: string;
  /** The options the user chose when creating it. */
  options: RunOptions;
  createdAt: string;
  updatedAt: string;
  runCount: number;
  /** Runs per status (statuses with no run are left out). */
  statusCounts: Partial<Record<RunStatus, number>>;
  bestTop1: number | null;
}

export interface RunProgress {
  stage: Stage;
  epoch: number;
  step: number;
  totalSteps: number;
  etaSeconds: number | null;
}

/** One run as lists show it. */
export interface RunRow {
  id: number;
  experimentId: number;
  experimentName: string;
  parentRunId: number | null;
  status: RunStatus;
  stages: RunOptions['stages'];
  seed: number;
  backbone: string;
  dataset: string;
  budget: number | null;
  backend: string;
  device: string | null;
  params: number | null;
  top1: number | null;
  top5: number | null;
  searchSecondsPerEpoch: number | null;
  trainSecondsPerEpoch: number | null;
  /** Learned (or, while stage 1 runs, current) hard sizes per searched layer. */
  sizes: number[] | null;
  progress: RunProgress | null;
  error: SerializedError | null;
  pid: number | null;
  /** The fleet worker that executed it (name and host); null for runs executed on this machine. */
  worker: { name: string; host: string } | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
}

export type ArtifactKind = 'config' | 'checkpoint' | 'metrics' | 'weights' | 'export';

export interface Artifact {
  id: number;
  runId: number;
  kind: ArtifactKind;
  path: string;
  sha256: string | null;
  bytes: number | null;
  meta: Record<string, unknown>;
  createdAt: string;
}

export interface EpochMetric {
  stage: Stage;
  epoch: number;
  seconds: number;
  trainLoss: number | null;
  trainAcc: number | null;
  top1: number | null;
  top5: number | null;
  testLoss: number | null;
  params: number | null;
  sizes: number[] | null;
  soft: number[] | null;
  time: string;
}

/** One run as the store records it: its row plus options, folders, epochs and files. */
export interface RunRecord extends RunRow {
  options: RunOptions;
  /** The run's own folder (checkpoints, config.json). */
  dir: string;
  /** The folder the user asked for with --out, if any. */
  outDir: string | null;
  /** Names of the searched layers, in size order. */
  layers: string[] | null;
  soft: number[] | null;
  datasetRecord: StoredDataset | null;
  epochs: EpochMetric[];
  artifacts: Artifact[];
}

export type RunSortKey = 'id' | 'created' | 'status' | 'top1' | 'params' | 'budget' | 'backbone' | 'dataset' | 'experiment';

export interface RunQuery {
  experimentId?: number;
  /** Experiment name, exact. */
  experiment?: string;
  status?: RunStatus | RunStatus[];
  dataset?: string;
  backbone?: string;
  backend?: string;
  /** Substring of the experiment name, backbone or dataset. */
  text?: string;
  sort?: RunSortKey;
  order?: 'asc' | 'desc';
  /** Default 50, at most 1000. */
  limit?: number;
  offset?: number;
}

export interface ExperimentQuery {
  text?: string;
  sort?: 'name' | 'created' | 'updated' | 'runs' | 'best';
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

export const STEP_METRICS = ['loss', 'ce', 'lparam', 'params', 'lr', 'acc', 'ms'] as const;
export type StepMetricName = (typeof STEP_METRICS)[number];

/** One metric over a stage's steps, bucketed when the stage has more steps than maxPoints. */
export interface SeriesBand {
  mean: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
}

export interface MetricSeries {
  runId: number;
  stage: Stage;
  /** Steps recorded for this stage. */
  count: number;
  /** Steps per point (1 = every step). */
  bucket: number;
  /** The last step of each point's bucket. */
  step: number[];
  epoch: number[];
  metrics: Record<StepMetricName, SeriesBand>;
}

export interface SizeHistory {
  runId: number;
  layers: string[] | null;
  /** Stage-1 steps recorded. */
  count: number;
  /** Rows are every `stride`-th step (plus the last), so at most maxPoints of them. */
  stride: number;
  step: number[];
  soft: number[][];
  hard: number[][];
}

export interface ParetoQuery {
  dataset?: string;
  backbone?: string;
  experimentId?: number;
}

export interface ParetoPoint {
  runId: number;
  experimentName: string;
  backbone: string;
  dataset: string;
  budget: number | null;
  params: number;
  top1: number;
  top5: number | null;
  sizes: number[] | null;
  /** No other point has at most as many parameters and a higher top-1 (or fewer params at the same top-1). */
  onFront: boolean;
}

/** The best completed run per parameter budget, with the non-dominated ones flagged. */
export interface ParetoView {
  points: ParetoPoint[];
}

/** What a run executor (the local queue, this process, a fleet) tells its listeners. */
export type RunExecutorEvent =
  | { type: 'train'; runId: number; event: TrainEvent }
  | { type: 'status'; runId: number; status: RunStatus; error: SerializedError | null };

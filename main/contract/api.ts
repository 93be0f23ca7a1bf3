// The one API every shell serves: the Electron window over IPC, the web mode over HTTP + SSE,
// and direct calls in tests. Arguments are described by zod schemas (validated where they
// enter main); results are plain JSON types. No Node, Electron or DOM API here.
import { z } from 'zod';
import type { BackboneSpec, EffconvConfig, InputShape } from './config';
import type { TrainEvent } from './events';
import type { RunOptions } from './run';
import type { ApiMethodName } from './api-methods';

// ---- argument schemas -------------------------------------------------------------------

const name = z.string().trim().min(1).max(200);
const id = z.number().int().positive();

export const RunOptionsSchema = z.object({
  backbone: z.string().trim().min(1).max(40),
  dataset: z.string().trim().min(1).max(4096),
  budget: z.union([z.string().trim().min(1).max(20), z.number().positive().max(1e9)]),
  stages: z.enum(['both', 'search', 'train']),
  searchEpochs: z.number().int().min(0).max(1000),
  trainEpochs: z.number().int().min(0).max(10000),
  batchSize: z.number().int().min(1).max(4096),
  trainBatchSize: z.number().int().min(1).max(4096),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  backend: z.enum(['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu']),
  limitTrain: z.number().int().min(1).optional(),
  limitTest: z.number().int().min(1).optional(),
  crop: z.number().int().min(0).max(64).optional(),
  flip: z.boolean().optional(),
  config: z.unknown().optional(),
  lr: z.number().positive().max(10).optional(),
}) satisfies z.ZodType<RunOptions>;

export const StartRunSchema = z.object({
  experiment: name.optional(),
  notes: z.string().max(10_000).optional(),
  options: RunOptionsSchema,
});
export type StartRunRequest = z.infer<typeof StartRunSchema>;

export const RunStatusSchema = z.enum(['queued', 'running', 'paused', 'completed', 'failed', 'cancelled', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const RunSortSchema = z.enum(['created', 'params', 'top1', 'budget', 'status', 'backbone', 'dataset', 'experiment']);

export const RunQuerySchema = z.object({
  text: z.string().max(200).optional(),
  status: z.array(RunStatusSchema).max(7).optional(),
  experimentId: id.optional(),
  sort: RunSortSchema.default('created'),
  desc: z.boolean().default(true),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(100),
});
export type RunQuery = z.input<typeof RunQuerySchema>;

export const ImportRequestSchema = z.object({
  path: z.string().trim().min(1).max(4096),
  name: name.optional(),
  format: z.enum(['auto', 'idx', 'cifar10', 'cifar100', 'stl10', 'imagenet32', 'folder']).optional(),
  size: z.number().int().min(8).max(256).optional(),
  testFraction: z.number().min(0).max(0.9).optional(),
  strict: z.boolean().optional(),
});
export type ImportRequest = z.infer<typeof ImportRequestSchema>;

export const ExportFormatSchema = z.enum(['config', 'pytorch', 'onnx', 'tfjs', 'report', 'all']);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;

export const BudgetRangeRequestSchema = z.object({
  backbone: z.string().trim().min(1).max(40),
  dataset: z.string().trim().min(1).max(4096),
});

/** Method name → tuple of argument schemas. */
export const API_ARGS = {
  appInfo: z.tuple([]),
  doctor: z.tuple([]),
  listDatasets: z.tuple([]),
  getDataset: z.tuple([name]),
  datasetSamples: z.tuple([name, z.number().int().min(1).max(16)]),
  importDataset: z.tuple([ImportRequestSchema]),
  cancelJob: z.tuple([z.string().min(1).max(100)]),
  removeDataset: z.tuple([name]),
  budgetRange: z.tuple([BudgetRangeRequestSchema]),
  listRuns: z.tuple([RunQuerySchema]),
  listExperiments: z.tuple([]),
  getRun: z.tuple([id]),
  runMetrics: z.tuple([id, z.number().int().min(10).max(100_000)]),
  runSizes: z.tuple([id, z.number().int().min(10).max(100_000)]),
  runKernels: z.tuple([id]),
  pareto: z.tuple([z.object({ dataset: z.string().max(4096).optional() })]),
  startRun: z.tuple([StartRunSchema]),
  retrainRun: z.tuple([id, z.object({ trainEpochs: z.number().int().min(1).max(10000).optional(), seed: z.number().int().min(0).optional() })]),
  pauseRun: z.tuple([id]),
  resumeRun: z.tuple([id]),
  cancelRun: z.tuple([id]),
  deleteRun: z.tuple([id]),
  deleteExperiment: z.tuple([id]),
  exportRun: z.tuple([id, ExportFormatSchema]),
  metricsCsv: z.tuple([z.array(id).max(10_000).optional()]),
} as const;

export type ApiMethod = keyof typeof API_ARGS;
// Every name in api-methods.ts has a schema here and vice versa.
const _namesMatch: Record<ApiMethodName, unknown> = API_ARGS satisfies Record<ApiMethodName, unknown>;
void _namesMatch;

// ---- result types -----------------------------------------------------------------------

export interface AppInfo {
  version: string;
  mode: 'desktop' | 'web';
  home: string;
  platform: string;
  cpus: number;
}

export interface BackendStatus {
  name: 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
  available: boolean;
  manualOnly?: boolean;
  reason: string;
}

export interface DoctorReport {
  backends: BackendStatus[];
  auto: string | null;
}

export interface DatasetInfo {
  name: string;
  format: string;
  source: string;
  shape: InputShape;
  classes: number;
  classNames: string[];
  /** Images per class, per split. */
  counts: { train: number[]; test: number[] };
  mean: number[];
  std: number[];
  sha256: string;
  createdAt: string;
  skipped: number;
}

export interface DatasetSamples {
  name: string;
  classes: { index: number; name: string; images: string[] }[]; // PNG data URLs
}

export interface BudgetRange {
  min: number;
  baseline: number;
  max: number;
  layers: number;
  backbone: BackboneSpec;
}

export interface ExperimentRow {
  id: number;
  name: string;
  notes: string;
  runs: number;
  createdAt: string;
  updatedAt: string;
}

export interface RunRow {
  id: number;
  experimentId: number;
  experiment: string;
  parentRunId: number | null;
  status: RunStatus;
  stage: 0 | 1 | 2;
  backbone: string;
  dataset: string;
  budget: number | null;
  params: number | null;
  top1: number | null;
  top5: number | null;
  backend: string | null;
  seed: number;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  searchSecondsPerEpoch: number | null;
  trainSecondsPerEpoch: number | null;
}

export interface Page<T> {
  rows: T[];
  total: number;
}

export interface ArtifactInfo {
  kind: string;
  path: string;
  sha256: string;
  bytes: number;
}

export interface RunDetail extends RunRow {
  options: RunOptions;
  device: string | null;
  error: string | null;
  config: EffconvConfig | null;
  layers: string[];
  sizes: number[] | null;
  soft: number[] | null;
  artifacts: ArtifactInfo[];
  /** Progress of the current stage, for a live view opened mid-run. */
  progress: { step: number; totalSteps: number; etaSeconds: number | null } | null;
}

/** Downsampled series: x and the columns share indices. */
export interface Series {
  step: number[];
  columns: Record<string, number[]>;
}

export interface RunMetrics {
  stage1: Series;
  stage2: Series;
  epochs: { stage: 1 | 2; epoch: number; seconds: number; trainLoss: number; top1: number | null; top5: number | null; params: number | null }[];
}

export interface SizeHistory {
  layers: string[];
  step: number[];
  soft: number[][]; // [point][layer]
  hard: number[][];
}

export interface KernelMaps {
  /** Per layer: mean |w| over channels at each kernel position, row-major s×s. */
  layers: { name: string; size: number; values: number[] }[];
  source: 'search' | 'trained' | 'none';
}

export interface ParetoPoint {
  runId: number;
  experiment: string;
  backbone: string;
  dataset: string;
  params: number;
  top1: number;
  budget: number | null;
  onFront: boolean;
}

export interface ExportResult {
  format: ExportFormat;
  /** Where it was written (desktop), or a download URL (web). */
  path: string;
  files: string[];
  note: string | null;
}

export interface JobInfo {
  id: string;
}

/** Everything pushed to the UI: run progress and import progress. */
export type PushEvent =
  | { kind: 'run'; runId: number; event: TrainEvent }
  | { kind: 'run-status'; runId: number; status: RunStatus; error?: string | null }
  | { kind: 'import'; jobId: string; phase: string; done: number; total: number; etaSeconds: number | null; status: 'running' | 'done' | 'failed' | 'cancelled'; error?: string; dataset?: string };

/** The typed API. */
export interface Api {
  appInfo(): Promise<AppInfo>;
  doctor(): Promise<DoctorReport>;
  listDatasets(): Promise<DatasetInfo[]>;
  getDataset(name: string): Promise<DatasetInfo>;
  datasetSamples(name: string, perClass: number): Promise<DatasetSamples>;
  importDataset(req: ImportRequest): Promise<JobInfo>;
  cancelJob(jobId: string): Promise<void>;
  removeDataset(name: string): Promise<void>;
  budgetRange(req: { backbone: string; dataset: string }): Promise<BudgetRange>;
  listRuns(q: RunQuery): Promise<Page<RunRow>>;
  listExperiments(): Promise<ExperimentRow[]>;
  getRun(id: number): Promise<RunDetail>;
  runMetrics(id: number, maxPoints: number): Promise<RunMetrics>;
  runSizes(id: number, maxPoints: number): Promise<SizeHistory>;
  runKernels(id: number): Promise<KernelMaps>;
  pareto(q: { dataset?: string }): Promise<ParetoPoint[]>;
  startRun(req: StartRunRequest): Promise<{ runId: number }>;
  retrainRun(id: number, o: { trainEpochs?: number; seed?: number }): Promise<{ runId: number }>;
  pauseRun(id: number): Promise<void>;
  resumeRun(id: number): Promise<void>;
  cancelRun(id: number): Promise<void>;
  deleteRun(id: number): Promise<void>;
  deleteExperiment(id: number): Promise<void>;
  exportRun(id: number, format: ExportFormat): Promise<ExportResult>;
  metricsCsv(runIds?: number[]): Promise<string>;
}

export type Unsubscribe = () => void;

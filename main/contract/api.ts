// The one API every shell serves: the Electron window over IPC, the web mode over HTTP + SSE,
// and the CLI by direct calls in its own process. Arguments are described by zod schemas
// (validated where they enter main); results are plain JSON types, most of them the store's
// own (contract/store.ts). No Node, Electron or DOM API here.
import { z } from 'zod';
import type { BackboneSpec, EffconvConfig, InputShape } from './config';
import type { DownloadableDataset, DownloadOutcome, SampleOutcome } from './download';
import type { SerializedError } from './errors';
import type { RunEstimate, SweepEstimate } from './estimate';
import type { TrainEvent } from './events';
import { EXPORT_FORMATS, type ExportFormat, type ExportRunResult, type ExportSweepResult } from './export';
import type { RunOptions } from './run';
import type { SweepDetail, SweepPlan, SweepRunOptions, SweepSummary } from './sweep';
import {
  RUN_STATUSES, type ExperimentSummary, type Page, type ParetoPoint, type RunQuery, type RunRecord, type RunRow, type RunSortKey, type RunStatus, type SizeHistory,
} from './store';
import type { ApiMethodName } from './api-methods';

// ---- argument schemas -------------------------------------------------------------------

const name = z.string().trim().min(1).max(200);
const id = z.number().int().positive();
const path = z.string().trim().min(1).max(4096);

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;

export const RunOptionsSchema = z.object({
  backbone: z.string().trim().min(1).max(40),
  dataset: path,
  budget: z.union([z.string().trim().min(1).max(20), z.number().positive().max(1e9)]),
  stages: z.enum(['both', 'search', 'train']),
  searchEpochs: z.number().int().min(0).max(1000),
  trainEpochs: z.number().int().min(0).max(10000),
  batchSize: z.number().int().min(1).max(4096),
  trainBatchSize: z.number().int().min(1).max(4096),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  backend: z.enum(BACKEND_CHOICES),
  limitTrain: z.number().int().min(1).optional(),
  limitTest: z.number().int().min(1).optional(),
  crop: z.number().int().min(0).max(64).optional(),
  flip: z.boolean().optional(),
  config: z.unknown().optional(),
  lr: z.number().positive().max(10).optional(),
}) satisfies z.ZodType<RunOptions>;

export const StartRunSchema = z.object({
  /** An experiment id, or a name (created if new); default: derived from the options. */
  experiment: z.union([name, id]).optional(),
  notes: z.string().max(10_000).optional(),
  options: RunOptionsSchema,
  /** Stage 2 from this effconv.config file (or run folder holding config.json), checked as `config validate` checks it. */
  configFile: path.optional(),
  /** Also write config.json, metrics.jsonl and the weights here. */
  outDir: path.optional(),
});
export type StartRunRequest = z.infer<typeof StartRunSchema>;

/** What a retrain may change; everything else is the parent run's. */
export const RetrainSchema = z.object({
  dataset: path.optional(),
  trainEpochs: z.number().int().min(1).max(10000).optional(),
  trainBatchSize: z.number().int().min(1).max(4096).optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  backend: z.enum(BACKEND_CHOICES).optional(),
  limitTrain: z.number().int().min(1).optional(),
  limitTest: z.number().int().min(1).optional(),
  crop: z.number().int().min(0).max(64).optional(),
  flip: z.boolean().optional(),
  lr: z.number().positive().max(10).optional(),
  /** Default: the parent run's experiment. */
  experiment: z.union([name, id]).optional(),
  outDir: path.optional(),
});
export type RetrainRequest = z.infer<typeof RetrainSchema>;

export const RunStatusSchema = z.enum(RUN_STATUSES);

const RUN_SORT_KEYS = ['id', 'created', 'status', 'top1', 'params', 'budget', 'backbone', 'dataset', 'experiment'] as const satisfies readonly RunSortKey[];

export const RunQuerySchema = z.object({
  experimentId: id.optional(),
  experiment: name.optional(),
  status: z.array(RunStatusSchema).max(RUN_STATUSES.length).optional(),
  dataset: path.optional(),
  backbone: z.string().max(40).optional(),
  backend: z.string().max(40).optional(),
  text: z.string().max(200).optional(),
  sort: z.enum(RUN_SORT_KEYS).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  offset: z.number().int().min(0).optional(),
}) satisfies z.ZodType<RunQuery>;

export const IMPORT_FORMATS = ['auto', 'idx', 'cifar10', 'cifar100', 'stl10', 'imagenet32', 'image-folder', 'folder'] as const;

export const ImportRequestSchema = z.object({
  path,
  name: name.optional(),
  format: z.enum(IMPORT_FORMATS).optional(),
  /** Square size in pixels; absent: the source's own size (image folders: their common square size, else 32). */
  size: z.number().int().min(4).max(1024).optional(),
  fit: z.enum(['cover', 'contain', 'fill']).optional(),
  testFraction: z.number().gt(0).lt(1).optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  strict: z.boolean().optional(),
  channels: z.union([z.literal(1), z.literal(3)]).optional(),
  unlabeled: z.boolean().optional(),
  labels: z.enum(['fine', 'coarse']).optional(),
  flip: z.boolean().optional(),
  replace: z.boolean().optional(),
});
export type ImportRequest = z.infer<typeof ImportRequestSchema>;

export const SamplesRequestSchema = z.object({
  perClass: z.number().int().min(1).max(64),
  split: z.enum(['train', 'test']).optional(),
  /** Nearest-neighbour upscaling of each thumbnail. */
  scale: z.number().int().min(1).max(16).optional(),
});
export type SamplesRequest = z.infer<typeof SamplesRequestSchema>;

export const ExportFormatSchema = z.enum([...EXPORT_FORMATS, 'all']) satisfies z.ZodType<ExportFormat>;

export const ExportRequestSchema = z.object({
  /** A recorded run's id, or a run folder / config.json on disk. */
  run: z.union([id, path]),
  format: ExportFormatSchema,
  /** Where to write; default: the shell's export folder. */
  out: path.optional(),
  /** Replace an existing output. */
  force: z.boolean().optional(),
});
export type ExportRequest = z.infer<typeof ExportRequestSchema>;

export const SweepRunOptionsSchema = RunOptionsSchema.omit({ backbone: true, dataset: true, budget: true, seed: true, stages: true, config: true }) satisfies z.ZodType<SweepRunOptions>;

export const SweepRequestSchema = z.object({
  /** Default: made from the grid. */
  name: name.optional(),
  notes: z.string().max(10_000).optional(),
  /** "0.2M,0.4M,0.8M", "0.2M..0.8M:4" (log-spaced), "0.5x,1x,2x" (multiples of each backbone's all-3×3 count). */
  budgets: z.string().trim().min(1).max(2000),
  backbones: z.array(z.string().trim().min(1).max(40)).min(1).max(16),
  datasets: z.array(path).min(1).max(16),
  seeds: z.array(z.number().int().min(0).max(2 ** 31 - 1)).min(1).max(64),
  baseline: z.boolean(),
  /** Points run at once on this machine. */
  parallel: z.number().int().min(1).max(32),
  options: SweepRunOptionsSchema,
});
export type SweepRequest = z.infer<typeof SweepRequestSchema>;

export const DownloadRequestSchema = z.object({
  /** A registry name (mnist, fashion-mnist, cifar-10, cifar-100, stl-10). */
  name,
  /** Fetch the same file names from this base URL instead of the publisher's (default: EFFCONV_DATASET_MIRROR, else the registry's). */
  mirror: z.string().trim().min(1).max(2000).optional(),
});
export type DownloadRequest = z.infer<typeof DownloadRequestSchema>;

/** A sweep by id or by name. */
const sweepRef = z.union([id, name]);

export const ExportSweepRequestSchema = z.object({
  /** The sweep's id or name. */
  sweep: sweepRef,
  /** The folder to write; default: the shell's export folder. */
  out: path.optional(),
  /** Replace an existing output. */
  force: z.boolean().optional(),
});
export type ExportSweepRequest = z.infer<typeof ExportSweepRequestSchema>;

export const BudgetRangeRequestSchema = z.object({
  backbone: z.string().trim().min(1).max(40),
  dataset: path,
});

/** Method name → tuple of argument schemas. */
export const API_ARGS = {
  appInfo: z.tuple([]),
  doctor: z.tuple([]),
  listDatasets: z.tuple([]),
  getDataset: z.tuple([name]),
  datasetSamples: z.tuple([name, SamplesRequestSchema]),
  importDataset: z.tuple([ImportRequestSchema]),
  downloadableDatasets: z.tuple([]),
  downloadDataset: z.tuple([DownloadRequestSchema]),
  addSampleDataset: z.tuple([]),
  verifyDataset: z.tuple([name]),
  cancelTask: z.tuple([z.string().min(1).max(100)]),
  removeDataset: z.tuple([name]),
  budgetRange: z.tuple([BudgetRangeRequestSchema]),
  validateConfig: z.tuple([path]),
  estimateRun: z.tuple([RunOptionsSchema]),
  estimateSweep: z.tuple([SweepRequestSchema]),
  listRuns: z.tuple([RunQuerySchema]),
  listExperiments: z.tuple([]),
  getRun: z.tuple([id]),
  runMetrics: z.tuple([id, z.number().int().min(10).max(100_000)]),
  runSizes: z.tuple([id, z.number().int().min(10).max(100_000)]),
  runKernels: z.tuple([id]),
  pareto: z.tuple([z.object({ dataset: path.optional() })]),
  startRun: z.tuple([StartRunSchema]),
  retrainRun: z.tuple([id, RetrainSchema]),
  pauseRun: z.tuple([id]),
  resumeRun: z.tuple([id]),
  cancelRun: z.tuple([id]),
  deleteRun: z.tuple([id]),
  deleteExperiment: z.tuple([id]),
  exportRun: z.tuple([ExportRequestSchema]),
  metricsCsv: z.tuple([z.array(id).max(10_000).optional()]),
  planSweep: z.tuple([SweepRequestSchema]),
  startSweep: z.tuple([SweepRequestSchema]),
  listSweeps: z.tuple([]),
  getSweep: z.tuple([sweepRef]),
  pauseSweep: z.tuple([sweepRef]),
  resumeSweep: z.tuple([sweepRef]),
  cancelSweep: z.tuple([sweepRef]),
  deleteSweep: z.tuple([sweepRef]),
  exportSweep: z.tuple([ExportSweepRequestSchema]),
  listWorkers: z.tuple([]),
  queueSettings: z.tuple([]),
  setQueue: z.tuple([z.object({ url: z.string().trim().min(1).max(2000).nullable() })]),
} as const;

export type ApiMethod = keyof typeof API_ARGS;
// Every name in api-methods.ts has a schema here and vice versa.
const _namesMatch: Record<ApiMethodName, unknown> = API_ARGS satisfies Record<ApiMethodName, unknown>;
void _namesMatch;

// ---- result types -----------------------------------------------------------------------

export interface AppInfo {
  version: string;
  mode: 'desktop' | 'web' | 'cli';
  home: string;
  platform: string;
  cpus: number;
}

export interface BackendStatus {
  name: 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
  available: boolean;
  manualOnly?: boolean;
  reason: string;
  /** What the probe found (threads, adapters, the driver's first message…). */
  details?: Record<string, unknown>;
}

export interface DoctorReport {
  backends: BackendStatus[];
  auto: string | null;
}

/** A library entry as every shell shows it. */
export interface DatasetInfo {
  name: string;
  format: string;
  /** What was imported (an absolute path). */
  source: string;
  shape: InputShape;
  classes: number;
  classNames: string[];
  /** Images per class, per split. */
  counts: { train: number[]; test: number[] };
  /** Unlabeled images stored (STL-10 with --unlabeled), else null. */
  unlabeled: number | null;
  /** Bytes on disk (pixels and labels of every split). */
  bytes: number;
  mean: number[];
  std: number[];
  flipSafe: boolean;
  sha256: string;
  createdAt: string;
  import: { size: number | null; fit: string; testFraction: number | null; seed: number; labels?: string };
  skipped: number;
  /** The first few skipped files, with the reason. */
  skippedExamples: { path: string; reason: string }[];
  notes: string[];
}

export interface ImportOutcome {
  dataset: DatasetInfo;
  /** False when identical data was already in the library (duplicateOf names the entry). */
  created: boolean;
  duplicateOf: string | null;
  replaced: boolean;
}

export interface DatasetSamples {
  name: string;
  split: 'train' | 'test';
  /** images: PNG data URLs; indices: each image's index in its split. */
  classes: { index: number; name: string; images: string[]; indices: number[] }[];
}

export interface DatasetVerification {
  name: string;
  ok: boolean;
  problems: string[];
}

export interface BudgetRange {
  min: number;
  baseline: number;
  max: number;
  layers: number;
  backbone: BackboneSpec;
}

export interface ConfigValidation {
  file: string;
  valid: true;
  backbone: string;
  sizes: number[];
  params: number;
  /** What was checked of the weights the config records. */
  weights: string;
}

/** A run as its view shows it: the store's record and, once it completed, its learned config. */
export interface RunDetail extends RunRecord {
  config: EffconvConfig | null;
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

export interface KernelMaps {
  /** Per layer: mean |w| over channels at each kernel position, row-major s×s. */
  layers: { name: string; size: number; values: number[] }[];
  source: 'search' | 'trained' | 'none';
}

export interface TaskInfo {
  id: string;
}

export type TaskStatus = 'running' | 'done' | 'failed' | 'cancelled';

/** Progress of a task (an import, a download) and, with its last event, its outcome. */
interface TaskEventBase {
  kind: 'task';
  taskId: string;
  /** scan, read, decode, write…; download and verify for a download's files. */
  phase: string;
  done: number;
  total: number;
  /** What done and total count: images or files ('items'), or bytes (a download's files). */
  unit: 'items' | 'bytes';
  etaSeconds: number | null;
  status: TaskStatus;
  /** The failure, with status 'failed'. */
  error?: SerializedError;
}

export type TaskEvent =
  | (TaskEventBase & { task: 'import'; result?: ImportOutcome })
  | (TaskEventBase & {
      task: 'download';
      /** The registry name being downloaded. */
      name: string;
      /** The file being fetched or verified (1-based index of `files`). */
      file?: { name: string; index: number; files: number };
      bytesPerSecond?: number;
      result?: DownloadOutcome;
    });

/** A worker of the fleet, as its heartbeats describe it. */
export interface FleetWorkerInfo {
  id: string;
  name: string;
  host: string;
  backend: string;
  device: string;
  concurrency: number;
  version: string;
  /** Its fleet protocol; jobs of another one are refused (by it, by name). */
  protocol: number;
  /** It beat within the last seconds; else it is lost (its runs are handed to other workers). */
  online: boolean;
  lastSeen: string;
  startedAt: string;
  /** What it executes now: runs of this workbench's database (runId), or of another one (runId null). */
  running: { runId: number | null; jobId: string; since: string }[];
}

/** The fleet as this workbench sees it: its queue (password masked), whether Redis answers, the workers. */
export interface FleetStatus {
  queue: string | null;
  connected: boolean;
  /** Why Redis does not answer (QUEUE_UNAVAILABLE, QUEUE_AUTH), when it does not. */
  error: SerializedError | null;
  protocol: number;
  workers: FleetWorkerInfo[];
}

/** Where new runs go: the fleet's queue (masked URL) or this machine. */
export interface QueueSettings {
  queue: string | null;
  /** Runs on the current queue not ended yet (the queue cannot change while there are any). */
  active: number;
}

/** Everything pushed to the UI: run progress and task (import, download) progress. */
export type PushEvent =
  | { kind: 'run'; runId: number; event: TrainEvent }
  | { kind: 'run-status'; runId: number; status: RunStatus; error: SerializedError | null }
  | TaskEvent;

/** The typed API. */
export interface Api {
  appInfo(): Promise<AppInfo>;
  doctor(): Promise<DoctorReport>;
  listDatasets(): Promise<DatasetInfo[]>;
  getDataset(name: string): Promise<DatasetInfo>;
  datasetSamples(name: string, req: SamplesRequest): Promise<DatasetSamples>;
  /** Starts the import as a task; progress and the outcome arrive as 'task' push events. */
  importDataset(req: ImportRequest): Promise<TaskInfo>;
  /** The data sets downloadDataset fetches (and those that need a login), with sizes and what is already here. */
  downloadableDatasets(): Promise<DownloadableDataset[]>;
  /** Starts a download (resumable, verified, then imported) as a task; progress and the outcome arrive as 'task' push events. */
  downloadDataset(req: DownloadRequest): Promise<TaskInfo>;
  /** The bundled sample back in the library (after a removal); refused by name when other data holds its name. */
  addSampleDataset(): Promise<SampleOutcome>;
  verifyDataset(name: string): Promise<DatasetVerification>;
  cancelTask(taskId: string): Promise<void>;
  removeDataset(name: string): Promise<void>;
  budgetRange(req: { backbone: string; dataset: string }): Promise<BudgetRange>;
  validateConfig(file: string): Promise<ConfigValidation>;
  /** How long each stage of a run with these options should take here (a short probe of its network on its backend, cached per machine). */
  estimateRun(options: RunOptions): Promise<RunEstimate>;
  /** How long a sweep should take: its points' estimates summed, over the points run at once. */
  estimateSweep(req: SweepRequest): Promise<SweepEstimate>;
  listRuns(q: RunQuery): Promise<Page<RunRow>>;
  listExperiments(): Promise<ExperimentSummary[]>;
  getRun(id: number): Promise<RunDetail>;
  runMetrics(id: number, maxPoints: number): Promise<RunMetrics>;
  runSizes(id: number, maxPoints: number): Promise<SizeHistory>;
  runKernels(id: number): Promise<KernelMaps>;
  pareto(q: { dataset?: string }): Promise<ParetoPoint[]>;
  startRun(req: StartRunRequest): Promise<{ runId: number }>;
  retrainRun(id: number, req: RetrainRequest): Promise<{ runId: number }>;
  pauseRun(id: number): Promise<void>;
  resumeRun(id: number): Promise<void>;
  cancelRun(id: number): Promise<void>;
  deleteRun(id: number): Promise<void>;
  deleteExperiment(id: number): Promise<void>;
  exportRun(req: ExportRequest): Promise<ExportRunResult>;
  metricsCsv(runIds?: number[]): Promise<string>;
  /** What a sweep request would run (its points, each backbone's reachable budgets), or why it cannot. */
  planSweep(req: SweepRequest): Promise<SweepPlan>;
  startSweep(req: SweepRequest): Promise<{ sweepId: number }>;
  listSweeps(): Promise<SweepSummary[]>;
  getSweep(ref: number | string): Promise<SweepDetail>;
  pauseSweep(ref: number | string): Promise<void>;
  /** Continue paused, interrupted and cancelled points and retry failed ones; finished points are kept. */
  resumeSweep(ref: number | string): Promise<void>;
  cancelSweep(ref: number | string): Promise<void>;
  deleteSweep(ref: number | string): Promise<void>;
  /** report.md, the figures, points.csv and every completed point's learned config, in one folder written whole or not at all. */
  exportSweep(req: ExportSweepRequest): Promise<ExportSweepResult>;
  /** The fleet's workers (an empty list and queue null when runs execute on this machine). */
  listWorkers(): Promise<FleetStatus>;
  queueSettings(): Promise<QueueSettings>;
  /** Send new runs to this queue (checked first: a wrong URL or password is refused by name), or (null) back to this machine. */
  setQueue(req: { url: string | null }): Promise<QueueSettings>;
}

export type Unsubscribe = () => void;

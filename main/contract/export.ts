// Exporting a finished run, or a sweep: what the CLI's `effconv export` / `effconv export sweep`
// and the GUI's export buttons ask for and get back (the Api's exportRun and exportSweep; the
// writers are main/export/export-run.ts and main/export/sweep/).
import type { SweepStatus } from './sweep';

export const EXPORT_FORMATS = ['config', 'pytorch', 'onnx', 'tfjs', 'report'] as const;
/** One format; ExportFormat adds 'all' (every format in one folder). */
export type SingleExportFormat = (typeof EXPORT_FORMATS)[number];
export type ExportFormat = SingleExportFormat | 'all';

export interface ExportOptions {
  format: ExportFormat;
  /** A file for config and onnx (or a folder to put config.json / model.onnx in), a folder otherwise. Default: beside the current directory, named after the run. */
  out?: string;
  /** Replace an existing output. */
  force?: boolean;
}

export interface ExportedFile {
  /** Absolute path. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface ExportRunResult {
  source: string;
  format: ExportFormat;
  out: string;
  files: ExportedFile[];
  /** False when the run had no stage-2 weights and the export holds fresh ones. */
  trained: boolean;
  weightsNote: string;
  params: number;
}

/** The files of a sweep's export folder, beside configs/point-<index>-run-<id>.json per completed point. */
export const SWEEP_EXPORT_FILES = [
  'report.md', 'points.csv', 'pareto.svg', 'pareto.png', 'accuracy-vs-budget.svg', 'accuracy-vs-budget.png', 'sizes-vs-budget.svg', 'sizes-vs-budget.png',
] as const;

export interface ExportSweepResult {
  sweepId: number;
  name: string;
  /** The sweep's status when it was exported (a running sweep exports what has finished so far). */
  status: SweepStatus;
  /** The folder written. */
  out: string;
  files: ExportedFile[];
  /** Points in points.csv, and how many completed (only those enter the means, the figures and configs/). */
  points: number;
  completed: number;
  /** Completed points whose learned config could not be read, so configs/ lacks them, with the reason. */
  missingConfigs: { index: number; runId: number; reason: string }[];
}

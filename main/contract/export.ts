// Exporting a finished run: what the CLI's `effconv export` and the GUI's export buttons ask
// for and get back (the Api's exportRun; the writers are main/export/export-run.ts).

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

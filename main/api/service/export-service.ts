// exportRun of the Api: where an export goes when the request names no place (the desktop's
// exports folder under the home; the CLI's working folder), then the export itself as a task.
import { join } from 'node:path';
import type { Api, ExportRequest } from '../../contract/api';
import type { ExportRunResult } from '../../contract/export';
import type { TaskRunner } from '../processes/tasks';

export type ExportApi = Pick<Api, 'exportRun'>;

/** `exportsDir`: the shell's folder for exports it places itself (replaced on each export); absent: exportRun's default beside the working folder. */
export function createExportService(o: { tasks: TaskRunner; dbPath: string; exportsDir?: string }): ExportApi {
  return {
    exportRun(req: ExportRequest): Promise<ExportRunResult> {
      let { out, force } = req;
      if (out === undefined && o.exportsDir !== undefined && typeof req.run === 'number') {
        const name = req.format === 'config' ? 'config.json' : req.format === 'onnx' ? 'model.onnx' : req.format;
        out = join(o.exportsDir, `run-${req.run}`, name);
        force = true;
      }
      return o.tasks({ kind: 'export', dbPath: o.dbPath, request: { ...req, out, force } });
    },
  };
}

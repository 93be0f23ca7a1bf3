// exportRun and exportSweep of the Api: where an export goes when the request names no place
// (the desktop's exports folder under the home, replaced on each export; the CLI's working
// folder), then the export itself as a task.
import { join } from 'node:path';
import type { Api, ExportRequest, ExportSweepRequest } from '../../contract/api';
import type { ExportRunResult, ExportSweepResult } from '../../contract/export';
import { findSweepId, type Store } from '../../store';
import type { TaskRunner } from '../processes/tasks';

export type ExportApi = Pick<Api, 'exportRun' | 'exportSweep'>;

/** `exportsDir`: the shell's folder for exports it places itself (replaced on each export); absent: the default beside the working folder. */
export function createExportService(o: { tasks: TaskRunner; store: Store; exportsDir?: string }): ExportApi {
  const dbPath = o.store.path;
  return {
    exportRun(req: ExportRequest): Promise<ExportRunResult> {
      let { out, force } = req;
      if (out === undefined && o.exportsDir !== undefined && typeof req.run === 'number') {
        const name = req.format === 'config' ? 'config.json' : req.format === 'onnx' ? 'model.onnx' : req.format;
        out = join(o.exportsDir, `run-${req.run}`, name);
        force = true;
      }
      return o.tasks({ kind: 'export', dbPath, request: { ...req, out, force } });
    },

    async exportSweep(req: ExportSweepRequest): Promise<ExportSweepResult> {
      const sweep = findSweepId(o.store, req.sweep);
      let { out, force } = req;
      if (out === undefined && o.exportsDir !== undefined) {
        out = join(o.exportsDir, `sweep-${sweep}`);
        force = true;
      }
      return o.tasks({ kind: 'export-sweep', dbPath, request: { sweep, out, force } });
    },
  };
}

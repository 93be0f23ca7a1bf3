// What a task process does for each task kind (see task-protocol.ts).
import type { DoctorReport } from '../contract/api';
import { doctor } from '../engine/backends/init';
import { importDataset } from '../data/library';
import { putArtifact, openStore } from '../store';
import { toDatasetInfo } from './dataset-info';
import { exportRun, resolveExportSource, toApiExportResult } from './export-run';
import type { FromTask, TaskRequest } from './task-protocol';

export interface TaskHere {
  signal: AbortSignal;
  onProgress: (p: Omit<Extract<FromTask, { type: 'progress' }>, 'type'>) => void;
}

export async function runTaskHere(r: TaskRequest, h: TaskHere): Promise<unknown> {
  switch (r.kind) {
    case 'doctor': {
      const d = await doctor();
      const report: DoctorReport = { backends: d.backends.map(({ name, available, manualOnly, reason }) => ({ name, available, manualOnly, reason })), auto: d.auto };
      return report;
    }
    case 'import': {
      const { path, format, ...rest } = r.request;
      const result = await importDataset(path, { ...rest, format }, {
        signal: h.signal,
        onProgress: (done, total, phase, eta) => h.onProgress({ phase, done, total, etaSeconds: Number.isFinite(eta) ? eta : null }),
      });
      return { dataset: toDatasetInfo(result.dataset), created: result.created, duplicateOf: result.duplicateOf };
    }
    case 'export': {
      const store = openStore(r.dbPath, { nativeBinding: process.env.EFFCONV_SQLITE_BINDING || undefined });
      try {
        const source = await resolveExportSource(String(r.runId), store);
        const out = await exportRun(source, { format: r.format, out: r.out, force: true });
        for (const f of out.files) putArtifact(store, { runId: r.runId, kind: 'export', path: f.path, sha256: f.sha256, bytes: f.bytes, meta: { format: r.format } });
        return toApiExportResult(out);
      } finally {
        store.close();
      }
    }
  }
}

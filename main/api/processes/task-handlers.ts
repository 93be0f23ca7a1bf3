// What a task does for each kind (see task-protocol.ts), wherever it runs.
import type { DoctorReport } from '../../contract/api';
import { EffconvError } from '../../contract/errors';
import { importDataset } from '../../data/library';
import { openDataset } from '../../data/resolve';
import { doctor, initBackend } from '../../engine/backends/init';
import { exportRun } from '../../export/export-run';
import { openExportSource } from '../../export/run-source';
import { getRunRecord, openStore, putArtifact } from '../../store';
import { toDatasetInfo } from '../records/dataset-info';
import { checkpointKernelMaps } from '../run/kernel-maps';
import type { TaskProgress, TaskRequest, TaskResults } from './task-protocol';
import { settings } from '../../common/settings';
import { datasetPackage } from './fleet/fleet-datasets';

export interface TaskHere {
  signal: AbortSignal;
  onProgress: (p: TaskProgress) => void;
}

export async function runTaskHere(r: TaskRequest, h: TaskHere): Promise<TaskResults[TaskRequest['kind']]> {
  switch (r.kind) {
    case 'doctor': {
      const d = await doctor();
      const report: DoctorReport = { backends: d.backends.map(({ name, available, manualOnly, reason, details }) => ({ name, available, manualOnly, reason, details })), auto: d.auto };
      return report;
    }
    case 'import': {
      const { path, format, ...rest } = r.request;
      const result = await importDataset(path, { ...rest, format }, {
        signal: h.signal,
        onProgress: (done, total, phase, eta) => h.onProgress({ phase, done, total, etaSeconds: Number.isFinite(eta) ? eta : null }),
      });
      return { dataset: toDatasetInfo(result.dataset), created: result.created, duplicateOf: result.duplicateOf, replaced: result.replaced };
    }
    case 'export': {
      const { run, format, out, force } = r.request;
      if (typeof run === 'string') return exportRun(run, { format, out, force });
      const store = openStore(r.dbPath, { nativeBinding: settings().sqliteBinding });
      try {
        const record = getRunRecord(store, run);
        if (record.status !== 'completed') throw new EffconvError('RUN_NOT_FINISHED', `run ${run} is ${record.status}; only a completed run can be exported`, String(run));
        const result = await exportRun(await openExportSource(record.dir), { format, out, force });
        store.write(() => {
          for (const f of result.files) putArtifact(store, { runId: run, kind: 'export', path: f.path, sha256: f.sha256, bytes: f.bytes, meta: { format } });
        });
        return result;
      } finally {
        store.close();
      }
    }
    case 'fleet-dataset':
      return datasetPackage(r.spec);
    case 'backend': {
      const b = await initBackend(r.name);
      return { name: b.name, device: b.device };
    }
    case 'dataset-shape': {
      const { height, width, channels, classes } = openDataset(r.spec);
      return { height, width, channels, classes };
    }
    case 'kernel-maps': {
      const store = openStore(r.dbPath, { nativeBinding: settings().sqliteBinding });
      try {
        return await checkpointKernelMaps(store, r.runId);
      } finally {
        store.close();
      }
    }
  }
}

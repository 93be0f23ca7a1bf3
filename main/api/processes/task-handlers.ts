// What a task does for each kind (see task-protocol.ts), wherever it runs.
import type { DoctorReport } from '../../contract/api';
import { EffconvError } from '../../contract/errors';
import { ensureSampleDataset, importDataset } from '../../data/library';
import { downloadDataset, type DownloadProgress } from '../../data/download/download-dataset';
import { openDataset } from '../../data/resolve';
import { doctor, initBackend } from '../../engine/backends/init';
import { exportRun } from '../../export/export-run';
import { openExportSource } from '../../export/run-source';
import { exportSweep } from '../../export/sweep/export-sweep';
import { getRunRecord, openStore, putArtifact } from '../../store';
import { toDatasetInfo } from '../records/dataset-info';
import { sweepExportInput } from '../records/sweep-export';
import { estimateRuns } from '../run/estimate-run';
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
    case 'download': {
      const report = throttledProgress(h.onProgress);
      const got = await downloadDataset(r.name, { mirror: r.mirror, registry: r.registry }, {
        signal: h.signal,
        onProgress: (p) => report(downloadProgress(p), p.phase !== 'download' || p.done === p.total),
        onImportProgress: (done, total, phase, eta) => report({ phase, done, total, etaSeconds: Number.isFinite(eta) ? eta : null, unit: 'items' }, true),
      });
      return {
        name: got.entry.name, alreadyInLibrary: got.alreadyInLibrary, libraryName: got.entry.import.name, files: got.files,
        import: got.import && { dataset: toDatasetInfo(got.import.dataset), created: got.import.created, duplicateOf: got.import.duplicateOf, replaced: got.import.replaced },
      };
    }
    case 'sample':
      return ensureSampleDataset({ restore: r.restore, onAdding: () => h.onProgress({ phase: 'adding', done: 0, total: 0, etaSeconds: null }) });
    case 'estimate':
      return estimateRuns(r.runs, { keep: r.keep, wasmThreads: r.wasmThreads });
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
    case 'export-sweep': {
      const store = openStore(r.dbPath, { nativeBinding: settings().sqliteBinding });
      try {
        const input = sweepExportInput(store, r.request.sweep);
        return await exportSweep(input, { out: r.request.out, force: r.request.force });
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

function downloadProgress(p: DownloadProgress): TaskProgress {
  return {
    phase: p.phase, done: p.allDone, total: p.allTotal, unit: 'bytes', etaSeconds: Number.isFinite(p.etaSeconds) ? p.etaSeconds : null,
    file: { name: p.file, index: p.index, files: p.files }, bytesPerSecond: p.bytesPerSecond,
  };
}

/** A download reports every chunk: pass on at most ten a second, and every change of phase or file. */
function throttledProgress(onProgress: (p: TaskProgress) => void, everyMs = 100): (p: TaskProgress, force?: boolean) => void {
  let last = 0;
  let key = '';
  return (p, force = false) => {
    const now = Date.now();
    const k = `${p.phase}|${p.file?.name ?? ''}`;
    if (!force && k === key && now - last < everyMs) return;
    last = now;
    key = k;
    onProgress(p);
  };
}

// appInfo, doctor and the budget readout of the Api.
import { cpus } from 'node:os';
import type { Api, AppInfo, BudgetRange, DoctorReport } from '../contract/api';
import { effconvHome } from '../common/paths';
import { findDataset } from '../data/library';
import { openDataset } from '../data/resolve';
import { describeNetwork, parseBackbone } from '../engine/models/backbone';
import { budgetRange } from '../engine/models/params';
import { runTask, type TaskLauncher } from './tasks';

export type SystemApi = Pick<Api, 'appInfo' | 'doctor' | 'budgetRange'>;

const DOCTOR_TTL_MS = 5 * 60_000;

export function createSystemService(o: { mode: AppInfo['mode']; version: string; tasks: TaskLauncher }): SystemApi {
  let cached: { at: number; report: Promise<DoctorReport> } | null = null;
  return {
    async appInfo(): Promise<AppInfo> {
      return { version: o.version, mode: o.mode, home: effconvHome(), platform: `${process.platform}-${process.arch}`, cpus: cpus().length };
    },

    // Probing loads native and wasm code: it runs in a task process and is remembered a while.
    doctor(): Promise<DoctorReport> {
      if (!cached || Date.now() - cached.at > DOCTOR_TTL_MS) {
        const report = runTask(o.tasks, { kind: 'doctor' }) as Promise<DoctorReport>;
        cached = { at: Date.now(), report };
        report.catch(() => (cached = null));
      }
      return cached.report;
    },

    async budgetRange(req: { backbone: string; dataset: string }): Promise<BudgetRange> {
      const backbone = parseBackbone(req.backbone);
      const rec = findDataset(req.dataset);
      const shape = rec ?? openDataset(req.dataset);
      const net = describeNetwork(backbone, { height: shape.height, width: shape.width, channels: shape.channels }, shape.classes);
      return { ...budgetRange(net), layers: net.layers.length, backbone };
    },
  };
}

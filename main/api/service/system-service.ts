// appInfo, doctor, the budget readout and config validation: the Api's questions about this
// machine and about files, answered without starting a run.
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import type { Api, AppInfo, BudgetRange, ConfigValidation, DoctorReport } from '../../contract/api';
import { findDataset } from '../../data/library';
import { backboneName, describeNetwork, parseBackbone } from '../../engine/models/backbone';
import { budgetRange } from '../../engine/models/params';
import { validateConfigFile } from '../../export/config-validate';
import { readEngineWeights } from '../../export/weights';
import type { TaskRunner } from '../processes/tasks';

export type SystemApi = Pick<Api, 'appInfo' | 'doctor' | 'budgetRange' | 'validateConfig'>;

const DOCTOR_TTL_MS = 5 * 60_000;

export function createSystemService(o: { mode: AppInfo['mode']; version: string; home: string; tasks: TaskRunner }): SystemApi {
  let cached: { at: number; report: Promise<DoctorReport> } | null = null;
  return {
    async appInfo(): Promise<AppInfo> {
      return { version: o.version, mode: o.mode, home: o.home, platform: `${process.platform}-${process.arch}`, cpus: cpus().length };
    },

    // Probing loads native and wasm code: it runs as a task and is remembered a while.
    doctor(): Promise<DoctorReport> {
      if (!cached || Date.now() - cached.at > DOCTOR_TTL_MS) {
        const report = o.tasks({ kind: 'doctor' });
        cached = { at: Date.now(), report };
        report.catch(() => (cached = null));
      }
      return cached.report;
    },

    async budgetRange(req: { backbone: string; dataset: string }): Promise<BudgetRange> {
      const backbone = parseBackbone(req.backbone);
      // A library entry's record says its shape; a path is opened (read whole) as a task.
      const shape = findDataset(req.dataset) ?? (await o.tasks({ kind: 'dataset-shape', spec: req.dataset }));
      const net = describeNetwork(backbone, { height: shape.height, width: shape.width, channels: shape.channels }, shape.classes);
      return { ...budgetRange(net), layers: net.layers.length, backbone };
    },

    // The JSON Schema, then the channel chain, sizes and params.total; when the config records
    // weights and they are beside it, their sha256 and tensor shapes too.
    async validateConfig(file: string): Promise<ConfigValidation> {
      const { config, net, sizes } = validateConfigFile(file);
      let weights = 'no weights recorded (a search-only config)';
      if (config.weights) {
        const path = join(dirname(file), config.weights.file);
        if (existsSync(path)) {
          readEngineWeights(path, config.weights, net, sizes);
          weights = `${config.weights.file}: sha256 and every tensor's shape match`;
        } else weights = `${config.weights.file} is not beside the file (not checked)`;
      }
      return { file, valid: true, backbone: backboneName(config.backbone), sizes, params: config.params.total, weights };
    },
  };
}

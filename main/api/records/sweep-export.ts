// What a sweep's export reads from the records: the sweep as getSweep answers it, the learned
// config of every completed point (one that cannot be read is named with the reason, not
// fatal: the rest of the export stands), and each backbone's network on each data set (its
// searched layers and reachable budgets), from the shape a point ran on, else the library's.
import type { EffconvConfig, InputShape } from '../../contract/config';
import { EffconvError } from '../../contract/errors';
import type { SweepDetail } from '../../contract/sweep';
import { findDataset } from '../../data/library';
import { describeNetwork, parseBackbone } from '../../engine/models/backbone';
import { budgetRange } from '../../engine/models/params';
import type { SweepExportInput, SweepNetwork } from '../../export/sweep/sweep-input';
import { findSweepId, getRunRecord, type Store } from '../../store';
import { learnedConfig } from './learned-config';
import { sweepDetail } from './sweeps';

type Shape = InputShape & { classes: number };

function libraryShape(dataset: string): Shape | null {
  try {
    return findDataset(dataset);
  } catch {
    return null; // a path, not a library name
  }
}

/** The shape each point of a backbone × data set ran on: its config's, its run's dataset record, else the library entry's. */
function shapeOf(store: Store, s: SweepDetail, configs: Map<number, EffconvConfig>, dataset: string): Shape | null {
  const points = s.points.filter((p) => p.dataset === dataset);
  for (const p of points) {
    const c = configs.get(p.runId);
    if (c) return { ...c.input, classes: c.classes };
  }
  for (const p of points) {
    if (p.status === 'queued') continue;
    const d = getRunRecord(store, p.runId).datasetRecord;
    if (d) return { height: d.height, width: d.width, channels: d.channels, classes: d.classes };
  }
  return libraryShape(dataset);
}

export function sweepExportInput(store: Store, ref: number | string): SweepExportInput {
  const sweep = sweepDetail(store, findSweepId(store, ref));
  const configs = new Map<number, EffconvConfig>();
  const missingConfigs: SweepExportInput['missingConfigs'] = [];
  for (const p of sweep.points) {
    if (p.status !== 'completed') continue;
    try {
      configs.set(p.runId, learnedConfig(store, p.runId));
    } catch (e) {
      if (!(e instanceof EffconvError)) throw e;
      missingConfigs.push({ index: p.index, runId: p.runId, reason: e.message });
    }
  }
  const networks: SweepNetwork[] = [];
  for (const dataset of sweep.grid.datasets) {
    const shape = shapeOf(store, sweep, configs, dataset);
    if (!shape) continue;
    for (const backbone of sweep.grid.backbones) {
      const net = describeNetwork(parseBackbone(backbone), { height: shape.height, width: shape.width, channels: shape.channels }, shape.classes);
      networks.push({ backbone, dataset, layers: net.layers.map((l) => l.name), ...budgetRange(net) });
    }
  }
  return { sweep, configs, missingConfigs, networks };
}

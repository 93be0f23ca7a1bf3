// What a sweep's export is made from: the sweep as `sweep show --json` gives it, the learned
// config of each completed point, and the network each backbone has on each data set (its
// searched layers and reachable budgets). The Api's records assemble it from the store.
import type { EffconvConfig } from '../../contract/config';
import type { SweepDetail } from '../../contract/sweep';

export interface SweepNetwork {
  backbone: string;
  dataset: string;
  /** Searched layers in forward order. */
  layers: string[];
  /** Parameters with every searched conv 1×1, 3×3 (the baseline) and 7×7. */
  min: number;
  baseline: number;
  max: number;
}

export interface SweepExportInput {
  sweep: SweepDetail;
  /** Learned configs of completed points, by run id. */
  configs: ReadonlyMap<number, EffconvConfig>;
  /** Completed points whose config could not be read, with the reason. */
  missingConfigs: { index: number; runId: number; reason: string }[];
  /** One per backbone × data set whose shape is known. */
  networks: SweepNetwork[];
}

export const networkKey = (backbone: string, dataset: string): string => `${backbone}\n${dataset}`;

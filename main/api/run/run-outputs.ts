// A run's output folder: metrics.jsonl (appended as events arrive, one JSON object per
// line), model.safetensors (stage 2's weights, written atomically when it ends) and
// config.json (written atomically at the end, recording the weights' sha256).
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { EffconvConfig, WeightsRecord } from '../../contract/config';
import type { TrainEvent } from '../../contract/events';
import { writeFileAtomic, writeJsonAtomic } from '../../common/atomic-write';
import type { ParamStore } from '../../engine/models/param-store';
import { encodeEngineWeights, ENGINE_LAYOUT, sha256Hex } from '../../export/weights';

export const WEIGHTS_FILE = 'model.safetensors';

/** Where stage 2 saves its trained weights (the run folder). */
export interface WeightsSink {
  writeWeights(store: ParamStore, steps: number): Promise<WeightsRecord>;
}

/** Every parameter and BN statistic, by engine name and layout, into dir/model.safetensors, with its sha256 for the config. */
export async function writeWeightsFile(dir: string, store: ParamStore, steps: number): Promise<WeightsRecord> {
  const bytes = encodeEngineWeights(new Map(Object.entries(await store.snapshot())), steps);
  writeFileAtomic(join(dir, WEIGHTS_FILE), bytes);
  return { file: WEIGHTS_FILE, sha256: sha256Hex(bytes), format: 'safetensors', layout: ENGINE_LAYOUT, steps };
}

export class RunOutputs implements WeightsSink {
  readonly dir: string;
  private fd: number | null;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
    this.fd = openSync(join(dir, 'metrics.jsonl'), 'a');
  }

  /** Log events are for the console only; everything else goes to metrics.jsonl. */
  write(e: TrainEvent): void {
    if (this.fd === null || e.type === 'log') return;
    writeSync(this.fd, JSON.stringify({ time: new Date().toISOString(), ...e }) + '\n');
  }

  async writeWeights(store: ParamStore, steps: number): Promise<WeightsRecord> {
    return writeWeightsFile(this.dir, store, steps);
  }

  writeConfig(config: EffconvConfig): string {
    const path = join(this.dir, 'config.json');
    writeJsonAtomic(path, config);
    return path;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

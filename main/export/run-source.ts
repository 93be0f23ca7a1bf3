// What an export reads: a finished run folder (config.json, model.safetensors when stage 2
// ran, metrics.jsonl) or a config file on its own. A run without trained weights exports
// its architecture with the fresh weights stage 2 would start from, and says so.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { EffconvConfig } from '../contract/config';
import { EffconvError } from '../contract/errors';
import type { NetworkSpec } from '../engine/models/backbone';
import { validateConfigFile } from './config-validate';
import { freshWeights, readEngineWeights, type WeightSet } from './weights';

export interface ExportSource {
  /** A short name for file headers and default output names (the run folder's name). */
  label: string;
  dir: string;
  configPath: string;
  config: EffconvConfig;
  net: NetworkSpec;
  sizes: number[];
  weights: WeightSet;
  trained: boolean;
  /** One sentence on where the weights come from, for the CLI and every exported file. */
  weightsNote: string;
  metricsPath: string | null;
}

function pct(v: number | null | undefined): string {
  return v == null ? 'n/a' : `${(v * 100).toFixed(2)}%`;
}

export function seedOf(config: EffconvConfig): number {
  return config.train?.seed ?? config.search?.seed ?? 0;
}

/** Open a run folder, or a config.json given directly. */
export async function openExportSource(path: string): Promise<ExportSource> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new EffconvError('RUN_NOT_FOUND', `${abs}: no such run folder or config file`, abs);
  const isDir = statSync(abs).isDirectory();
  const dir = isDir ? abs : dirname(abs);
  const configPath = isDir ? join(abs, 'config.json') : abs;
  const metrics = join(dir, 'metrics.jsonl');
  if (!existsSync(configPath)) {
    if (existsSync(metrics)) {
      throw new EffconvError('RUN_NOT_FINISHED', `${abs}: the run has not finished (metrics.jsonl but no config.json yet; it is still running, or it stopped before the end)`, abs);
    }
    throw new EffconvError('RUN_NOT_FOUND', `${abs}: not a run folder (no config.json in it)`, abs);
  }
  const { config, net, sizes } = validateConfigFile(configPath);
  const label = isDir ? basename(abs) : basename(dir);
  const seed = seedOf(config);
  let weights: WeightSet;
  let trained = false;
  let weightsNote: string;
  if (config.weights) {
    weights = readEngineWeights(join(dir, config.weights.file), config.weights, net, sizes);
    trained = true;
    const t = config.train;
    weightsNote = `trained weights: stage 2, ${t?.epochs ?? '?'} epoch${t?.epochs === 1 ? '' : 's'} (${config.weights.steps} steps), top-1 ${pct(config.results?.top1)}`;
  } else {
    weights = await freshWeights(net, sizes, seed);
    weightsNote = config.train
      ? `UNTRAINED: this config records stage-2 training but carries no weights (a config exported on its own, or a run from before weights were saved), so these are fresh He-normal weights (seed ${seed})`
      : `UNTRAINED: a search-only run has no trained weights; these are the fresh He-normal weights stage 2 would start from (seed ${seed}): train before use`;
  }
  return { label, dir, configPath, config, net, sizes, weights, trained, weightsNote, metricsPath: existsSync(metrics) ? metrics : null };
}

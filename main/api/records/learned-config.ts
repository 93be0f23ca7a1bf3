// A finished run's learned config (effconv.config), and the options to retrain it (stage 2
// from that config, recorded as the run's child: "retrain from config").
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { EffconvConfig } from '../../contract/config';
import { EffconvError } from '../../contract/errors';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../../contract/run';
import { checkConfig } from '../../engine/config';
import { getRunRecord, type Store } from '../../store';

/** The config.json a completed run wrote, checked against its recorded digest. */
export function learnedConfig(store: Store, runId: number): EffconvConfig {
  const run = getRunRecord(store, runId);
  if (run.status !== 'completed') throw new EffconvError('RUN_NOT_FINISHED', `run ${runId} is ${run.status}; it has no learned config yet`, String(runId));
  const configs = run.artifacts.filter((a) => a.kind === 'config');
  // Prefer the copy in the run's own folder; --out copies may have been moved or edited.
  const artifact = configs.find((a) => resolve(dirname(a.path)) === resolve(run.dir)) ?? configs[0];
  if (!artifact) throw new EffconvError('RUN_NOT_FINISHED', `run ${runId} recorded no config.json`, String(runId));
  let bytes: Buffer;
  try {
    bytes = readFileSync(artifact.path);
  } catch (e) {
    throw new EffconvError('CONFIG_INVALID', `${artifact.path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message}`, artifact.path);
  }
  if (artifact.sha256 && createHash('sha256').update(bytes).digest('hex') !== artifact.sha256) {
    throw new EffconvError('CONFIG_INVALID', `${artifact.path} changed since run ${runId} wrote it (sha256 differs)`, artifact.path);
  }
  return checkConfig(JSON.parse(bytes.toString('utf8')), { recomputeParams: true }).config;
}

/** Options for training a run's learned CNN again (stage 2 only), on its dataset unless overridden. */
export function retrainOptions(store: Store, runId: number, overrides: Partial<RunOptions> = {}): RunOptions {
  const run = getRunRecord(store, runId);
  const config = learnedConfig(store, runId);
  const trainEpochs = run.options.trainEpochs || DEFAULT_RUN_OPTIONS.trainEpochs;
  return { ...run.options, stages: 'train', searchEpochs: 0, trainEpochs, ...overrides, config };
}

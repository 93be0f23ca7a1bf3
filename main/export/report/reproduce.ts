// The effconv command line that repeats a run, rebuilt from what its config recorded.
import type { EffconvConfig } from '../../contract/config';
import { backboneName } from '../../engine/models/backbone';

/** A shell word as typed: bare when safe, else in single quotes. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `configPath` is used when the run was stage 2 from a config (there was no search to repeat). */
export function reproduceCommand(c: EffconvConfig, configPath = 'config.json'): string {
  const args: string[] = [];
  const add = (flag: string, v: string | number | null | undefined) => {
    if (v !== null && v !== undefined) args.push(`--${flag}`, shellQuote(String(v)));
  };
  const s = c.search;
  const t = c.train ?? null;
  const command = s ? (t ? 'run' : 'search') : 'train';
  if (command === 'train') add('config', configPath);
  else add('backbone', backboneName(c.backbone));
  add('dataset', c.dataset?.source ?? c.dataset?.name ?? 'DATASET');
  if (s) {
    add('budget', c.params.budget);
    add('search-epochs', s.epochs);
    add('batch-size', s.hyperparameters.batchSize);
  }
  if (t) {
    add('train-epochs', t.epochs);
    add('train-batch-size', t.batchSize);
    if (t.lr !== 0.1) add('lr', t.lr);
    add('crop', t.augment.crop);
    args.push(t.augment.flip ? '--flip' : '--no-flip');
  }
  add('seed', s?.seed ?? t?.seed);
  add('backend', s?.backend ?? t?.backend);
  add('limit-train', c.dataset?.trainImages);
  if (t) add('limit-test', c.dataset?.testImages);
  return `effconv ${command} ${args.join(' ')}`;
}

// effconv run | search | train: one run in this process, with console progress, writing
// DIR/metrics.jsonl as it goes and DIR/config.json at the end.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EffconvError } from '../../../contract/errors';
import { DEFAULT_RUN_OPTIONS, type RunOptions, type RunStages } from '../../../contract/run';
import { parseBackendName } from '../../../engine/backends/init';
import { formatParams } from '../../../engine/models/params';
import { executeRun } from '../../../api/pipeline';
import { RunOutputs } from '../../../api/run-outputs';
import { intFlag, numberFlag, optionalInt, parse } from '../args';
import { ConsoleProgress } from '../progress';

const RUN_FLAGS = {
  backbone: { type: 'string' },
  dataset: { type: 'string' },
  budget: { type: 'string' },
  'search-epochs': { type: 'string' },
  'train-epochs': { type: 'string' },
  'batch-size': { type: 'string' },
  'train-batch-size': { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  'limit-train': { type: 'string' },
  'limit-test': { type: 'string' },
  crop: { type: 'string' },
  flip: { type: 'boolean' },
  lr: { type: 'string' },
  config: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
} as const;

function readConfigFile(given: string): unknown {
  // A run folder stands for its config.json.
  const path = existsSync(given) && statSync(given).isDirectory() ? join(given, 'config.json') : given;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message;
    throw new EffconvError('CONFIG_INVALID', `${path}: ${reason}`, path);
  }
}

function defaultOutDir(stages: RunStages): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return resolve(`effconv-${stages === 'train' ? 'train' : stages === 'search' ? 'search' : 'run'}-${stamp}`);
}

export function runOptionsFromFlags(v: Record<string, string | boolean | undefined>, stages: RunStages): RunOptions {
  if (typeof v.dataset !== 'string') throw new EffconvError('INVALID_ARGUMENT', '--dataset is required (a library name, fashion-mnist, or a folder)', 'dataset');
  const d = DEFAULT_RUN_OPTIONS;
  const opts: RunOptions = {
    backbone: (v.backbone as string) ?? d.backbone,
    dataset: v.dataset,
    budget: (v.budget as string) ?? d.budget,
    stages,
    searchEpochs: intFlag(v['search-epochs'], 'search-epochs', stages === 'train' ? 0 : 1, d.searchEpochs),
    trainEpochs: intFlag(v['train-epochs'], 'train-epochs', stages === 'search' ? 0 : 1, d.trainEpochs),
    batchSize: intFlag(v['batch-size'], 'batch-size', 1, d.batchSize),
    trainBatchSize: intFlag(v['train-batch-size'], 'train-batch-size', 1, d.trainBatchSize),
    seed: intFlag(v.seed, 'seed', 0, d.seed),
    backend: parseBackendName((v.backend as string) ?? 'auto'),
    limitTrain: optionalInt(v['limit-train'], 'limit-train', 1),
    limitTest: optionalInt(v['limit-test'], 'limit-test', 1),
    crop: optionalInt(v.crop, 'crop', 0),
    flip: v.flip as boolean | undefined,
    lr: numberFlag(v.lr, 'lr'),
  };
  if (typeof v.config === 'string') opts.config = readConfigFile(v.config);
  return opts;
}

export async function runCommand(argv: string[], stages: RunStages): Promise<number> {
  const { values } = parse(argv, RUN_FLAGS);
  const v = values as Record<string, string | boolean | undefined>;
  if (stages === 'train' && typeof v.config !== 'string') throw new EffconvError('INVALID_ARGUMENT', 'effconv train needs --config DIR/config.json', 'config');
  const opts = runOptionsFromFlags(v, stages);
  const out = new RunOutputs(typeof v.out === 'string' ? resolve(v.out) : defaultOutDir(stages));
  const progress = new ConsoleProgress(process.stderr, Boolean(process.stderr.isTTY), Boolean(v.quiet));
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    progress.event({ type: 'log', level: 'warn', message: 'stopping after the current step (Ctrl-C again to quit at once)' });
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const r = await executeRun(opts, {
      signal: abort.signal,
      onEvent: (e) => {
        out.write(e);
        progress.event(e);
      },
    }, out);
    progress.end();
    const path = out.writeConfig(r.config);
    const s = r.summary;
    const acc = s.top1 != null ? `, top-1 ${(s.top1 * 100).toFixed(2)}%${s.top5 != null ? `, top-5 ${(s.top5 * 100).toFixed(2)}%` : ''}` : '';
    process.stderr.write(`sizes ${s.sizes.join(' ')}; ${formatParams(s.params)} params${s.budget ? ` (budget ${formatParams(s.budget)})` : ''}${acc}\nwrote ${path}\n`);
    if (v.json) process.stdout.write(JSON.stringify({ ...s, out: out.dir }, null, 2) + '\n');
    return 0;
  } finally {
    progress.end();
    out.close();
    process.off('SIGINT', onSigint);
  }
}

// effconv run | search | train: one run in this process, recorded in the experiment database
// (so it shows up in the GUI and can be resumed), with console progress, writing
// metrics.jsonl as it goes and config.json at the end (in the run's folder, and --out DIR).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EffconvError } from '../../../contract/errors';
import { DEFAULT_RUN_OPTIONS, type RunOptions, type RunStages } from '../../../contract/run';
import { parseBackendName } from '../../../engine/backends/init';
import { learnedConfig } from '../../../api/learned-config';
import { claimForThisProcess, createRun, openRunStore } from '../../../api/runs';
import { getRunDetail } from '../../../store';
import { intFlag, numberFlag, optionalInt, parse } from '../args';
import { runInConsole } from '../run-console';
import { runIdArg } from './run-id';
import { defaultDataset } from '../sample-dataset';
import { printRunEstimate } from '../run-estimate';

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
  'from-run': { type: 'string' },
  out: { type: 'string' },
  name: { type: 'string' },
  'checkpoint-minutes': { type: 'string' },
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
  const fromRun = typeof v['from-run'] === 'string' ? runIdArg(v['from-run']) : null;
  if (fromRun !== null && (stages !== 'train' || v.config !== undefined)) throw new EffconvError('INVALID_ARGUMENT', '--from-run goes with effconv train, instead of --config', 'from-run');
  if (stages === 'train' && typeof v.config !== 'string' && fromRun === null) throw new EffconvError('INVALID_ARGUMENT', 'effconv train needs --config DIR/config.json or --from-run RUN', 'config');
  const checkpointMinutes = numberFlag(v['checkpoint-minutes'], 'checkpoint-minutes');
  const store = openRunStore();
  try {
    let opts: RunOptions;
    let experiment: string | number | undefined = typeof v.name === 'string' ? v.name : undefined;
    if (fromRun !== null) {
      // Retrain a recorded run's learned CNN: its dataset unless --dataset, recorded as its child in its experiment.
      const parent = getRunDetail(store, fromRun);
      opts = runOptionsFromFlags({ ...v, dataset: v.dataset ?? parent.options.dataset }, stages);
      opts.config = learnedConfig(store, fromRun);
      experiment ??= parent.experimentId;
    } else {
      if (v.dataset === undefined) v.dataset = await defaultDataset(Boolean(v.quiet || v.json));
      opts = runOptionsFromFlags(v, stages);
    }
    if (!v.quiet && !v.json) await printRunEstimate(opts);
    const run = createRun(store, { options: opts, experiment, parentRunId: fromRun, outDir: typeof v.out === 'string' ? v.out : null });
    claimForThisProcess(store, run.id);
    return await runInConsole(store, run.id, { json: Boolean(v.json), quiet: Boolean(v.quiet), checkpointMinutes });
  } finally {
    store.close();
  }
}

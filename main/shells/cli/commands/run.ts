// effconv run | search | train: one run through the Api (startRun, or retrainRun for
// --from-run), executed in this process with console progress. It is recorded in the
// experiment database (so the GUI shows it and it can be resumed), writing metrics.jsonl as it
// goes and config.json at the end (in the run's folder, and in --out DIR).
import type { RetrainRequest } from '../../../contract/api';
import { EffconvError } from '../../../contract/errors';
import { DEFAULT_RUN_OPTIONS, type RunOptions, type RunStages } from '../../../contract/run';
import type { SweepRunOptions } from '../../../contract/sweep';
import { parseBackendName } from '../../../engine/backends/init';
import { intFlag, numberFlag, optionalInt, parse } from '../args';
import { queueOf, withCliService } from '../cli-service';
import { followRun } from '../follow-run';
import { printRunEstimate } from '../run-estimate';
import { defaultDataset } from '../sample-dataset';
import { runIdArg } from './run-id';

/** The options every run shares with a sweep's points (sweep.ts takes the same flags). */
export const SHARED_RUN_FLAGS = {
  'search-epochs': { type: 'string' },
  'train-epochs': { type: 'string' },
  'batch-size': { type: 'string' },
  'train-batch-size': { type: 'string' },
  backend: { type: 'string' },
  'limit-train': { type: 'string' },
  'limit-test': { type: 'string' },
  crop: { type: 'string' },
  flip: { type: 'boolean' },
  lr: { type: 'string' },
  'checkpoint-minutes': { type: 'string' },
  queue: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
} as const;

const RUN_FLAGS = {
  ...SHARED_RUN_FLAGS,
  backbone: { type: 'string' },
  dataset: { type: 'string' },
  budget: { type: 'string' },
  seed: { type: 'string' },
  config: { type: 'string' },
  'from-run': { type: 'string' },
  out: { type: 'string' },
  name: { type: 'string' },
} as const;

export type Flags = Record<string, string | boolean | undefined>;

export function sharedOptionsFromFlags(v: Flags, stages: RunStages): SweepRunOptions {
  const d = DEFAULT_RUN_OPTIONS;
  return {
    searchEpochs: intFlag(v['search-epochs'], 'search-epochs', stages === 'train' ? 0 : 1, d.searchEpochs),
    trainEpochs: intFlag(v['train-epochs'], 'train-epochs', stages === 'search' ? 0 : 1, d.trainEpochs),
    batchSize: intFlag(v['batch-size'], 'batch-size', 1, d.batchSize),
    trainBatchSize: intFlag(v['train-batch-size'], 'train-batch-size', 1, d.trainBatchSize),
    backend: parseBackendName((v.backend as string) ?? 'auto'),
    limitTrain: optionalInt(v['limit-train'], 'limit-train', 1),
    limitTest: optionalInt(v['limit-test'], 'limit-test', 1),
    crop: optionalInt(v.crop, 'crop', 0),
    flip: v.flip as boolean | undefined,
    lr: numberFlag(v.lr, 'lr'),
  };
}

export function runOptionsFromFlags(v: Flags, stages: RunStages): RunOptions {
  if (typeof v.dataset !== 'string') throw new EffconvError('INVALID_ARGUMENT', '--dataset is required (a library name, fashion-mnist, or a folder)', 'dataset');
  const d = DEFAULT_RUN_OPTIONS;
  return {
    ...sharedOptionsFromFlags(v, stages),
    backbone: (v.backbone as string) ?? d.backbone,
    dataset: v.dataset,
    budget: (v.budget as string) ?? d.budget,
    stages,
    seed: intFlag(v.seed, 'seed', 0, d.seed),
  };
}

/** The checkpoint interval the flags ask for, in ms. */
export function checkpointEveryMs(v: Flags): number | undefined {
  const minutes = numberFlag(v['checkpoint-minutes'], 'checkpoint-minutes');
  return minutes !== undefined ? minutes * 60_000 : undefined;
}

/** What a retrain may change, from the flags the user gave; the rest is the parent run's (as the GUI's "Retrain stage 2"). */
const SEARCH_ONLY_FLAGS = ['backbone', 'budget', 'search-epochs', 'batch-size'] as const;

export function retrainRequestFromFlags(v: Flags): RetrainRequest {
  const given = SEARCH_ONLY_FLAGS.filter((f) => v[f] !== undefined);
  if (given.length) throw new EffconvError('INVALID_ARGUMENT', `--${given[0]} does not apply to --from-run: the parent run's learned CNN is retrained as it is`, given[0]);
  const r: RetrainRequest = {
    dataset: v.dataset as string | undefined,
    trainEpochs: optionalInt(v['train-epochs'], 'train-epochs', 1),
    trainBatchSize: optionalInt(v['train-batch-size'], 'train-batch-size', 1),
    seed: optionalInt(v.seed, 'seed', 0),
    backend: typeof v.backend === 'string' ? parseBackendName(v.backend) : undefined,
    limitTrain: optionalInt(v['limit-train'], 'limit-train', 1),
    limitTest: optionalInt(v['limit-test'], 'limit-test', 1),
    crop: optionalInt(v.crop, 'crop', 0),
    flip: v.flip as boolean | undefined,
    lr: numberFlag(v.lr, 'lr'),
    experiment: v.name as string | undefined,
    outDir: v.out as string | undefined,
  };
  return Object.fromEntries(Object.entries(r).filter(([, x]) => x !== undefined)) as RetrainRequest;
}

export async function runCommand(argv: string[], stages: RunStages): Promise<number> {
  const { values } = parse(argv, RUN_FLAGS);
  const v = values as Flags;
  const fromRun = typeof v['from-run'] === 'string' ? runIdArg(v['from-run']) : null;
  if (fromRun !== null && (stages !== 'train' || v.config !== undefined)) throw new EffconvError('INVALID_ARGUMENT', '--from-run goes with effconv train, instead of --config', 'from-run');
  if (stages === 'train' && typeof v.config !== 'string' && fromRun === null) throw new EffconvError('INVALID_ARGUMENT', 'effconv train needs --config DIR/config.json or --from-run RUN', 'config');
  const follow = { json: Boolean(v.json), quiet: Boolean(v.quiet) };
  const quiet = Boolean(v.quiet || v.json);
  return withCliService(
    (service) =>
      followRun(service, async () => {
        if (fromRun !== null) return (await service.api.retrainRun(fromRun, retrainRequestFromFlags(v))).runId;
        if (v.dataset === undefined) v.dataset = await defaultDataset(service, quiet);
        const options = runOptionsFromFlags(v, stages);
        if (!quiet && v.config === undefined) await printRunEstimate(service, options);
        const { runId } = await service.api.startRun({
          options,
          configFile: v.config as string | undefined,
          experiment: v.name as string | undefined,
          outDir: v.out as string | undefined,
        });
        return runId;
      }, follow),
    { checkpointEveryMs: checkpointEveryMs(v), queue: queueOf(v) },
  );
}

// The bundled sample data set from the command line: offered on the first command that opens the
// library, the default --dataset of effconv run, and `effconv dataset add-sample` to get it back
// after removing it.
import { EffconvError } from '../../contract/errors';
import { ensureSampleDataset, SAMPLE_DATASET } from '../../data/library';

const OPENS_LIBRARY = new Set(['dataset', 'run', 'search', 'train', 'serve']);

const announce = (quiet: boolean) => () => {
  if (!quiet) process.stderr.write(`adding the sample data set "${SAMPLE_DATASET.name}" (${SAMPLE_DATASET.description}) to the library…\n`);
};

/** First start: put the sample in the library once. A failure is reported and the command goes on. */
export async function offerSampleDataset(cmd: string | undefined, argv: string[]): Promise<void> {
  if (cmd === undefined || !OPENS_LIBRARY.has(cmd)) return;
  try {
    await ensureSampleDataset({ onAdding: announce(argv.includes('--quiet')) });
  } catch (e) {
    process.stderr.write(`effconv: the sample data set was not added: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

/** What a run uses without --dataset: the sample (added back if it was removed). */
export async function defaultDataset(quiet: boolean): Promise<string> {
  const r = await ensureSampleDataset({ restore: true, onAdding: announce(quiet) });
  if (r.name === null) throw new EffconvError('INVALID_ARGUMENT', `--dataset is required here: ${r.reason} (give a library name or a folder of idx files)`, 'dataset');
  if (!quiet) process.stderr.write(`no --dataset: using the sample "${r.name}" (${SAMPLE_DATASET.description})\n`);
  return r.name;
}

/** effconv dataset add-sample: the sample back in the library (after `dataset remove`). */
export async function addSampleCommand(argv: string[]): Promise<number> {
  if (argv.length > 0) throw new EffconvError('INVALID_ARGUMENT', 'usage: effconv dataset add-sample', 'argv');
  const r = await ensureSampleDataset({ restore: true, onAdding: announce(false) });
  if (r.name === null) throw new EffconvError('DATASET_EXISTS', `the sample was not added: ${r.reason}`, SAMPLE_DATASET.name);
  process.stderr.write(r.added ? `added "${r.name}": ${SAMPLE_DATASET.description}\n` : `the sample is in the library as "${r.name}"\n`);
  return 0;
}

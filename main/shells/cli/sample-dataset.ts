// The bundled sample data set from the command line: the default --dataset of effconv run, and
// `effconv dataset add-sample` to get it back after removing it. (The service offers it on the
// first start itself, whichever shell starts first.)
import { EffconvError } from '../../contract/errors';
import type { Service } from '../../api/service/service';
import { withCliService } from './cli-service';

/** What a run uses without --dataset: the sample (added back if it was removed). */
export async function defaultDataset(service: Service, quiet: boolean): Promise<string> {
  const r = await service.api.addSampleDataset();
  if (!quiet) process.stderr.write(`no --dataset: using the sample "${r.name}" (${r.description})${r.added ? ', added back to the library' : ''}\n`);
  return r.name;
}

/** effconv dataset add-sample: the sample back in the library (after `dataset remove`). */
export async function addSampleCommand(argv: string[]): Promise<number> {
  if (argv.length > 0) throw new EffconvError('INVALID_ARGUMENT', 'usage: effconv dataset add-sample', 'argv');
  const r = await withCliService((s) => s.api.addSampleDataset());
  process.stderr.write(r.added ? `added "${r.name}": ${r.description}\n` : `the sample is in the library as "${r.name}"\n`);
  return 0;
}

// effconv resume RUN: continue a paused, interrupted, failed or cancelled run from its last
// checkpoint (the Api's resumeRun), in this process, to the result an uninterrupted run gives.
import { EffconvError } from '../../../contract/errors';
import { numberFlag, parse } from '../args';
import { queueOf, withCliService } from '../cli-service';
import { followRun } from '../follow-run';
import { runIdArg } from './run-id';

export async function resumeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, quiet: { type: 'boolean' }, 'checkpoint-minutes': { type: 'string' }, queue: { type: 'string' } }, true);
  if (positionals.length !== 1) throw new EffconvError('INVALID_ARGUMENT', 'usage: effconv resume RUN', 'argv');
  const runId = runIdArg(positionals[0]);
  const minutes = numberFlag(values['checkpoint-minutes'], 'checkpoint-minutes');
  return withCliService(
    (service) =>
      followRun(service, async () => {
        await service.api.resumeRun(runId);
        return runId;
      }, { json: Boolean(values.json), quiet: Boolean(values.quiet) }),
    { checkpointEveryMs: minutes !== undefined ? minutes * 60_000 : undefined, queue: queueOf(values) },
  );
}

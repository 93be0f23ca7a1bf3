// effconv resume RUN: continue a paused, interrupted, failed or cancelled run from its last
// checkpoint, in this process, to the same result an uninterrupted run would have given.
import { EffconvError } from '../../../contract/errors';
import { claimForThisProcess, openRunStore, queueResume } from '../../../api/runs';
import { numberFlag, parse } from '../args';
import { runInConsole } from '../run-console';
import { runIdArg } from './run-id';

export async function resumeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, quiet: { type: 'boolean' }, 'checkpoint-minutes': { type: 'string' } }, true);
  if (positionals.length !== 1) throw new EffconvError('INVALID_ARGUMENT', 'usage: effconv resume RUN', 'argv');
  const runId = runIdArg(positionals[0]);
  const store = openRunStore();
  try {
    queueResume(store, runId);
    claimForThisProcess(store, runId);
    return await runInConsole(store, runId, {
      json: Boolean(values.json),
      quiet: Boolean(values.quiet),
      checkpointMinutes: numberFlag(values['checkpoint-minutes'], 'checkpoint-minutes'),
    });
  } finally {
    store.close();
  }
}

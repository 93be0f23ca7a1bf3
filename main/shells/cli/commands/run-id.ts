// A run id from the command line.
import { EffconvError } from '../../../contract/errors';

export function runIdArg(v: string): number {
  const id = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(id) || id < 1) throw new EffconvError('INVALID_ARGUMENT', `RUN must be a run id (a positive integer, see effconv runs), got "${v}"`, 'run');
  return id;
}

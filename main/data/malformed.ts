// The one error for data that is not what its format says (a truncated file, a wrong magic
// number, a label out of range, a member missing from a set). `where` names the file as the
// user knows it: the path they gave, plus the member inside an archive ("x.tar.gz:dir/file").
import { fromSystemError, isSystemError } from '../common/system-errors';
import { EffconvError } from '../contract/errors';

export function malformed(where: string, reason: string): EffconvError {
  return new EffconvError('DATASET_MALFORMED', `${where}: ${reason}`, where);
}

/**
 * What failed while reading `where` as a stream: ours passes through, a system error (EIO, a
 * permission) is named as unreadable, anything else (zlib's complaint) means corrupt data.
 */
export function readFailure(where: string, e: unknown, corrupt = (m: string) => m): EffconvError {
  if (e instanceof EffconvError) return e;
  if (isSystemError(e)) return fromSystemError(e, { action: 'read', path: where, role: 'source' });
  return malformed(where, corrupt((e as Error).message));
}

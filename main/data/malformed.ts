// The one error for data that is not what its format says (a truncated file, a wrong magic
// number, a label out of range, a member missing from a set). `where` names the file as the
// user knows it: the path they gave, plus the member inside an archive ("x.tar.gz:dir/file").
import { EffconvError } from '../contract/errors';

export function malformed(where: string, reason: string): EffconvError {
  return new EffconvError('DATASET_MALFORMED', `${where}: ${reason}`, where);
}

// The workbench's own choice of queue (the GUI's setting): EFFCONV_HOME/fleet.json, readable by
// this user only, since the URL may carry the Redis password. A command's --queue wins over it.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../../common/atomic-write';
import { EffconvError } from '../../../contract/errors';

export const QUEUE_SETTING_FILE = 'fleet.json';

export function readQueueSetting(home: string): string | null {
  const path = join(home, QUEUE_SETTING_FILE);
  if (!existsSync(path)) return null;
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as { queue?: unknown };
    return typeof v.queue === 'string' && v.queue ? v.queue : null;
  } catch (e) {
    throw new EffconvError('INVALID_ARGUMENT', `${path} is not readable JSON (${(e as Error).message}): fix or delete it`, path);
  }
}

export function writeQueueSetting(home: string, url: string | null): void {
  const path = join(home, QUEUE_SETTING_FILE);
  if (url === null) return rmSync(path, { force: true });
  writeJsonAtomic(path, { queue: url }, { mode: 0o600 });
}

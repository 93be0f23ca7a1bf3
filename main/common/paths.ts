// Where EffConv Studio keeps its data (dataset library, experiment database, run folders).
// EFFCONV_HOME overrides; otherwise the platform's per-user application-data folder.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function effconvHome(): string {
  if (process.env.EFFCONV_HOME) return resolve(process.env.EFFCONV_HOME);
  const home = homedir();
  switch (process.platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'EffConv Studio');
    case 'win32':
      return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'EffConv Studio');
    default:
      return join(process.env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'effconv-studio');
  }
}

export const datasetsDir = (): string => join(effconvHome(), 'datasets');
export const runsDir = (): string => join(effconvHome(), 'runs');
export const databasePath = (): string => join(effconvHome(), 'effconv.db');

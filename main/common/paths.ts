// Where EffConv Studio keeps its data under its home folder (settings.ts: EFFCONV_HOME, else
// the platform's per-user application-data folder).
import { join } from 'node:path';
import { settings } from './settings';

export interface HomePaths {
  home: string;
  /** The dataset library. */
  datasets: string;
  /** One folder per run, named by its id. */
  runs: string;
  /** The experiment database. */
  database: string;
  /** Where the GUI's exports go. */
  exports: string;
}

export function homePaths(home: string = settings().home): HomePaths {
  return { home, datasets: join(home, 'datasets'), runs: join(home, 'runs'), database: join(home, 'effconv.db'), exports: join(home, 'exports') };
}

export const effconvHome = (): string => settings().home;
export const datasetsDir = (): string => homePaths().datasets;
export const runsDir = (): string => homePaths().runs;
export const databasePath = (): string => homePaths().database;

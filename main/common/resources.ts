// Where the files the app ships live (resources/: the sample data set, the icon). One answer for
// every way the code runs: from the source tree (tests, tsx: main/common/) and from the build
// (electron-vite puts code in out/main/ or out/main/chunks/), both under the project folder that
// holds resources/; EFFCONV_RESOURCES overrides (a packaged app's copy, say).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EffconvError } from '../contract/errors';

/** A file every copy of resources/ has, so a stray folder of that name is not taken for it. */
const MARKER = 'README.md';

let found: string | null = null;

export function resourcesDir(): string {
  if (process.env.EFFCONV_RESOURCES) return resolve(process.env.EFFCONV_RESOURCES);
  if (found) return found;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start, i = 0; i < 8; i++) {
    const candidate = join(dir, 'resources');
    if (existsSync(join(candidate, MARKER))) return (found = candidate);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new EffconvError('INTERNAL', `the app's resources folder (resources/${MARKER}) was not found above ${start}: reinstall, or set EFFCONV_RESOURCES to it`, start);
}

export const resourcePath = (...parts: string[]): string => join(resourcesDir(), ...parts);

// better-sqlite3 is a native addon: the copy in node_modules is built for Node's ABI (CLI,
// tests, web mode). The desktop app loads a second build for Electron's ABI, made by
// `npm run rebuild:electron` (scripts/electron-native.js runs it after install when the
// Electron binary is present) into native/electron-<abi>/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function electronSqliteBinding(appRoot: string): { path: string | null; expected: string } {
  const expected = join(appRoot, 'native', `electron-${process.versions.modules}`, 'better_sqlite3.node');
  return { path: existsSync(expected) ? expected : null, expected };
}

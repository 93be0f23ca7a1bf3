#!/usr/bin/env node
// Build better-sqlite3 a second time, for Electron's ABI, into native/electron-<abi>/, leaving
// node_modules' copy (Node's ABI) for the CLI, the tests and web mode. Runs after install
// (postinstall) when the Electron binary is there, and as `npm run rebuild:electron`.
// Needs the Electron headers, which node-gyp downloads: without network it says so and stops.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const optional = process.argv.includes('--if-electron');

function done(message, code = 0) {
  process.stderr.write(`electron-native: ${message}\n`);
  process.exit(code);
}

let electronPath;
try {
  electronPath = require('electron');
} catch {
  electronPath = null;
}
if (typeof electronPath !== 'string' || !existsSync(electronPath)) {
  done('the Electron binary is not installed, so no Electron build of better-sqlite3 is needed here (the CLI and web mode use the Node build)', optional ? 0 : 1);
}
const electronVersion = require('electron/package.json').version;
const abi = spawnSync(electronPath, ['-e', 'process.stdout.write(process.versions.modules)'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8' }).stdout.trim();
if (!/^\d+$/.test(abi)) done(`could not read Electron ${electronVersion}'s ABI version`, 1);
const target = join(root, 'native', `electron-${abi}`, 'better_sqlite3.node');
if (existsSync(target) && !process.argv.includes('--force')) done(`${target} exists (use --force to rebuild)`);

const pkg = dirname(require.resolve('better-sqlite3/package.json'));
const work = mkdtempSync(join(tmpdir(), 'effconv-bs3-electron-'));
try {
  cpSync(pkg, join(work, 'better-sqlite3'), { recursive: true, filter: (p) => !p.includes(`${pkg}/build`) });
  const gyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [dirname(process.execPath) + '/../lib/node_modules/npm', root] });
  const r = spawnSync(process.execPath, [gyp, 'rebuild', '--release', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers', '--runtime=electron'], {
    cwd: join(work, 'better-sqlite3'),
    stdio: 'inherit',
  });
  if (r.status !== 0) done(`node-gyp could not build better-sqlite3 for Electron ${electronVersion} (it downloads Electron's headers: is the network reachable?)`, optional ? 0 : 1);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(work, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), target);
  done(`built ${target} for Electron ${electronVersion} (ABI ${abi})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

#!/usr/bin/env node
// Node builds from the npm registry (`node-<platform>-<arch>@VERSION` ships the binary and the
// headers node-gyp needs), cached in ~/.cache/effconv-studio/node-runtimes/VERSION (outside
// node_modules, which `npm ci` deletes; EFFCONV_NODE_CACHE moves it), for CI and
// `npm run bench -- --node`. `electron` names the Node that the project's Electron bundles.
//   node scripts/node-runtime.js VERSION|electron   → prints the binary's path (installing it first)
// Runs on any Node ≥ 18 (CI starts it with whatever Node the machine has).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);

/**
 * The Node version each Electron release bundles (its DEPS file's node_version at the release
 * tag; Electron runs it on Chromium's V8, so relaxed SIMD and the wasm engine are Chromium's).
 */
export const ELECTRON_NODE = { '40.8.5': '24.14.0' };

/** The Electron version installed, else the one package.json pins (before npm install). */
function electronVersion() {
  try {
    return require('electron/package.json').version;
  } catch {
    return require(join(root, 'package.json')).devDependencies.electron;
  }
}

/** The Node version the project's Electron bundles. */
export function electronNodeVersion() {
  const electron = electronVersion();
  const node = ELECTRON_NODE[electron];
  if (!node) throw new Error(`the Node version Electron ${electron} bundles is not in scripts/node-runtime.js (ELECTRON_NODE): add it from that release's DEPS (node_version)`);
  return node;
}

/** VERSION, or `electron` for the Node the installed Electron bundles, as an exact version. */
export function resolveVersion(spec) {
  const v = spec === 'electron' ? electronNodeVersion() : spec.replace(/^v/, '');
  if (!/^\d+\.\d+\.\d+$/.test(v)) throw new Error(`a Node version is MAJOR.MINOR.PATCH or "electron", got "${spec}"`);
  return v;
}

/** The directory of an installed Node build (bin/node, include/node for node-gyp), installing it on first use. */
export function nodeRuntimeDir(spec) {
  const version = resolveVersion(spec);
  const pkg = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
  const cache = process.env.EFFCONV_NODE_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'effconv-studio', 'node-runtimes');
  const dir = join(cache, version);
  const home = join(dir, 'package');
  if (existsSync(nodeBinary(home))) return home;
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    process.stderr.write(`installing Node ${version} from the npm registry (${pkg}@${version}) into ${dir}\n`);
    execFileSync('npm', ['pack', `${pkg}@${version}`, '--pack-destination', tmp, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack ${pkg}@${version} produced no archive`);
    execFileSync('tar', ['xzf', join(tmp, tgz), '-C', tmp]);
    rmSync(home, { recursive: true, force: true });
    renameSync(join(tmp, 'package'), home);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (!existsSync(nodeBinary(home))) throw new Error(`${pkg}@${version} has no ${nodeBinary(home)}`);
  return home;
}

export function nodeBinary(home) {
  return process.platform === 'win32' ? join(home, 'node.exe') : join(home, 'bin', 'node');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const spec = process.argv[2];
  if (!spec) {
    process.stderr.write('usage: node scripts/node-runtime.js VERSION|electron\n');
    process.exit(2);
  }
  process.stdout.write(nodeBinary(nodeRuntimeDir(spec)) + '\n');
}

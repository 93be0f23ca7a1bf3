#!/usr/bin/env node
// What the tests need from the system besides npm packages (each test that calls a program names
// it here), with the Debian package that provides it. `npm test` checks these first: as root with
// apt-get it installs what is missing; otherwise it stops at once, one line per missing piece with
// the command that installs it.
//   node scripts/prerequisites.js                    print what is missing (exit 1 if anything)
//   node scripts/prerequisites.js --missing-packages the Debian packages to install, one a line
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';

/** Each piece: what it is, for which tests, and the Debian package that installs it. */
const PROGRAMS = [
  { name: 'Chromium', path: '/usr/bin/chromium', pkg: 'chromium', why: 'the e2e tests and the TF.js export check in a browser' },
  { name: 'Python 3', path: PYTHON, pkg: 'python3', why: 'the PyTorch and ONNX export checks and the npz tests' },
  { name: 'sqlite3', command: 'sqlite3', pkg: 'sqlite3', why: 'the tests that read the database with the sqlite3 shell' },
  { name: 'zip', command: 'zip', pkg: 'zip', why: 'the zip archive tests' },
  { name: 'tar', command: 'tar', pkg: 'tar', why: 'the tar archive tests' },
  { name: 'gzip', command: 'gzip', pkg: 'gzip', why: 'tar -z in the archive tests' },
  { name: 'redis-server', path: '/usr/bin/redis-server', pkg: 'redis-server', why: 'the fleet tests (BullMQ on a real Redis)' },
];
const PYTHON_MODULES = [
  { module: 'torch', pkg: 'python3-torch', why: 'loading the PyTorch export' },
  { module: 'onnx', pkg: 'python3-onnx', why: 'onnx.checker on the ONNX export' },
  { module: 'numpy', pkg: 'python3-numpy', why: 'writing npz files as numpy does' },
];

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const onPath = (command) => (process.env.PATH ?? '').split(delimiter).some((dir) => dir && executable(join(dir, command)));

/** The missing pieces: { name, pkg, why }. */
export function missingPrerequisites() {
  const missing = [];
  for (const p of PROGRAMS) {
    const ok = p.path ? executable(p.path) : onPath(p.command);
    if (!ok) missing.push({ name: p.path ? `${p.name} (${p.path})` : `${p.name} (on PATH)`, pkg: p.pkg, why: p.why });
  }
  if (executable(PYTHON)) {
    // find_spec looks a module up without importing it (importing torch takes seconds).
    const code = 'import importlib.util, sys\nprint(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))';
    const r = spawnSync(PYTHON, ['-c', code, ...PYTHON_MODULES.map((m) => m.module)], { encoding: 'utf8' });
    const absent = new Set(r.status === 0 ? r.stdout.trim().split(/\s+/).filter(Boolean) : PYTHON_MODULES.map((m) => m.module));
    for (const m of PYTHON_MODULES) if (absent.has(m.module)) missing.push({ name: `Python module ${m.module} for ${PYTHON}`, pkg: m.pkg, why: m.why });
  } else {
    for (const m of PYTHON_MODULES) missing.push({ name: `Python module ${m.module} for ${PYTHON}`, pkg: m.pkg, why: m.why });
  }
  return missing;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** One line per missing piece, naming the command that installs it. */
export function describeMissing(missing) {
  const sudo = isRoot() ? '' : 'sudo ';
  return missing.map((m) => `missing ${m.name}, needed by ${m.why}: ${sudo}apt-get install ${m.pkg}`);
}

/**
 * Check; as root with apt-get, install what is missing and check again. Returns the lines to
 * print for what is still missing (empty when everything is there).
 */
export function ensurePrerequisites(log = (line) => process.stdout.write(line + '\n')) {
  let missing = missingPrerequisites();
  if (missing.length === 0) return [];
  if (isRoot() && existsSync('/usr/bin/apt-get') && !process.env.EFFCONV_TEST_NO_INSTALL) {
    const pkgs = [...new Set(missing.map((m) => m.pkg))];
    log(`npm test: installing the missing Debian packages: ${pkgs.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('/usr/bin/apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    if (update.status === 0) spawnSync('/usr/bin/apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
    missing = missingPrerequisites();
  }
  return describeMissing(missing);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const missing = missingPrerequisites();
  if (process.argv.includes('--missing-packages')) {
    for (const p of new Set(missing.map((m) => m.pkg))) process.stdout.write(p + '\n');
  } else {
    for (const line of describeMissing(missing)) process.stdout.write(line + '\n');
    process.exit(missing.length ? 1 : 0);
  }
}

// The desktop shell, where the Electron binary exists (it cannot be downloaded on every
// machine: ELECTRON_SKIP_BINARY_DOWNLOAD installs skip it). Everything under the shell is
// tested without it (web mode in Chromium, the dispatcher in test/api).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { _electron as electron } from 'playwright-core';
import { REPO_ROOT } from '../helpers/data';

const require = createRequire(import.meta.url);

function electronBinary(): { path: string | null; why: string } {
  try {
    const p = require('electron') as unknown;
    if (typeof p === 'string' && existsSync(p)) return { path: p, why: '' };
    return { path: null, why: 'the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD or a failed download)' };
  } catch (e) {
    return { path: null, why: `the electron package cannot give a binary: ${(e as Error).message.split('\n')[0]}` };
  }
}

const bin = electronBinary();
const nativeBuilt = existsSync(join(REPO_ROOT, 'native'));

test('desktop smoke: a sandboxed, isolated window with the one typed bridge; a bad IPC argument gets a typed error', async (t) => {
  if (!bin.path) return t.skip(`skipped: ${bin.why}`);
  if (!process.env.DISPLAY && process.platform === 'linux') return t.skip('skipped: no display (set DISPLAY or run under xvfb-run)');
  if (!nativeBuilt) return t.skip('skipped: better-sqlite3 has no Electron build here (npm run rebuild:electron needs Electron headers from the network)');
  const home = mkdtempSync(join(tmpdir(), 'effconv-electron-'));
  const app = await electron.launch({ executablePath: bin.path, args: [REPO_ROOT], env: { ...process.env, EFFCONV_HOME: home } });
  try {
    const win = await app.firstWindow();
    await win.getByRole('heading', { name: 'Experiments' }).waitFor();
    // No Node in the page (nodeIntegration off, sandboxed, isolated): only the bridge is visible.
    assert.equal(await win.evaluate('typeof process'), 'undefined');
    assert.equal(await win.evaluate('Object.isFrozen(window.effconv) || Object.getOwnPropertyDescriptor(window, "effconv").writable === false'), true);
    assert.deepEqual(await win.evaluate('Object.keys(window.effconv).sort()'), ['call', 'onEvent', 'pickPath']);
    assert.equal(await win.evaluate('typeof require'), 'undefined');
    const bad = (await win.evaluate("window.effconv.call('getRun', ['seven'])")) as { ok: boolean; error: { code: string } };
    assert.equal(bad.ok, false);
    assert.equal(bad.error.code, 'INVALID_ARGUMENT');
    const info = (await win.evaluate("window.effconv.call('appInfo', [])")) as { ok: boolean; value: { mode: string } };
    assert.equal(info.value.mode, 'desktop', 'the process keeps serving after a bad call');
  } finally {
    await app.close();
    rmSync(home, { recursive: true, force: true });
  }
});

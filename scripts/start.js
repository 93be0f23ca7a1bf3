#!/usr/bin/env node
// npm start: build if needed, then open the desktop app. Where the Electron binary is missing
// (a headless box, or an install with ELECTRON_SKIP_BINARY_DOWNLOAD), say so and start web
// mode instead, which prints the tokened URL.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);

if (!existsSync(`${root}out/main/index.js`) || process.argv.includes('--rebuild')) {
  const b = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

let electronPath = null;
try {
  electronPath = require('electron');
  if (typeof electronPath !== 'string' || !existsSync(electronPath)) electronPath = null;
} catch {
  electronPath = null;
}

const display = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
if (electronPath && display) {
  const child = spawn(electronPath, ['.'], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  const why = electronPath ? 'no display is available' : 'the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD, or its download failed)';
  process.stderr.write(`EffConv Studio: cannot open the desktop window: ${why}.\nStarting web mode instead: the same workbench in a browser, on 127.0.0.1 only.\n\n`);
  const child = spawn(process.execPath, [`${root}bin/effconv.js`, 'serve', ...process.argv.slice(2).filter((a) => a !== '--rebuild')], { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}

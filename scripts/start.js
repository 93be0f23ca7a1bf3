#!/usr/bin/env node
// npm start: build if needed, then open the desktop app. Where the Electron binary is missing
// (a headless box, or an install with ELECTRON_SKIP_BINARY_DOWNLOAD), say so and fall back
// to web mode once it exists.
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

if (electronPath && (process.env.DISPLAY || process.env.WAYLAND_DISPLAY || process.platform !== 'linux')) {
  const child = spawn(electronPath, ['.'], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  const why = electronPath ? 'no display is available' : 'the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD, or its download failed)';
  process.stderr.write(`EffConv Studio: cannot open the desktop window: ${why}.\n`);
  process.stderr.write('Use the command line instead: npx effconv --help\n');
  process.exit(1);
}

#!/usr/bin/env node
// The effconv command runs the built CLI (npm install builds it; `npm run build` rebuilds).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('effconv: the CLI is not built yet: run `npm run build` in the effconv-studio folder\n');
  process.exit(1);
}
await import(cli);

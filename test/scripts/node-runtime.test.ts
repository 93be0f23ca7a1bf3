// scripts/node-runtime.js: `electron` resolves to the Node the project's Electron bundles (a
// bumped Electron without its Node in the table fails here, not in CI's install step), and
// versions are checked before anything is fetched.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/data';
// @ts-expect-error a plain ES module without types
import { ELECTRON_NODE, electronNodeVersion, resolveVersion } from '../../scripts/node-runtime.js';

test('the Node that the pinned Electron bundles is known, meets the engines floor and is what `electron` resolves to', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: { electron: string }; engines: { node: string } };
  const node = (ELECTRON_NODE as Record<string, string>)[pkg.devDependencies.electron];
  assert.ok(node, `ELECTRON_NODE has no entry for electron ${pkg.devDependencies.electron}`);
  assert.equal(electronNodeVersion(), node);
  assert.equal(resolveVersion('electron'), node);
  const floor = Number(/>=\s*(\d+)/.exec(pkg.engines.node)?.[1]);
  assert.ok(Number(node.split('.')[0]) >= floor, `Electron's Node ${node} is below the engines floor ${pkg.engines.node}`);
});

test('versions are exact MAJOR.MINOR.PATCH (a leading v allowed); anything else is refused before a download', () => {
  assert.equal(resolveVersion('v22.23.5'), '22.23.5');
  for (const bad of ['22', 'latest', '24.x', '../24.14.0']) assert.throws(() => resolveVersion(bad), /MAJOR\.MINOR\.PATCH or "electron"/);
});

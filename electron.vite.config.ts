// One build for the three Electron processes. main/ also yields the CLI and the run worker,
// so every shell runs the same bundled engine.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

export default defineConfig({
  main: {
    define: { __APP_VERSION__: JSON.stringify(version) },
    build: {
      outDir: 'out/main',
      // Optional dependencies are not externalised by default; they load native code from their own folder.
      externalizeDeps: { include: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'] },
      sourcemap: true,
      rollupOptions: {
        input: {
          index: resolve('main/shells/electron/index.ts'),
          cli: resolve('main/shells/cli/index.ts'),
          worker: resolve('main/shells/worker/index.ts'),
          // One-off tasks kept out of the UI process: backend probe, dataset import, export.
          task: resolve('main/shells/worker/task.ts'),
          // One fleet job (a run executed for `effconv worker`), in a sandboxed process of its own.
          'fleet-job': resolve('main/shells/worker/fleet-job.ts'),
          // The training feed's worker thread (main/data/background-batches.ts finds it beside the bundle).
          'batch-worker': resolve('main/data/batch-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('preload/index.ts') },
        // A sandboxed preload must be one CommonJS file that requires nothing but electron.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('renderer'),
    plugins: [svelte()],
    build: {
      outDir: resolve('out/renderer'),
      rollupOptions: { input: resolve('renderer/index.html') },
    },
  },
});

// The TF.js model's two real consumers: tf.loadLayersModel in Node and in Chromium, both
// fetching the exported files over HTTP from a loopback server, as a web app would.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../helpers/data';

const TYPES: Record<string, string> = { '.json': 'application/json', '.bin': 'application/octet-stream', '.js': 'text/javascript', '.html': 'text/html' };
const PAGE = '<!doctype html><meta charset="utf-8"><title>tfjs export check</title><script src="/tf.min.js"></script>';

export interface Served {
  base: string;
  close(): Promise<void>;
}

/** Serve `root` under /files/, tfjs's browser bundle at /tf.min.js and an empty page at /. */
export async function serve(root: string): Promise<Served> {
  const bundle = join(REPO_ROOT, 'node_modules/@tensorflow/tfjs/dist/tf.min.js');
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let file: string | null = null;
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': TYPES['.html'] }).end(PAGE);
      return;
    }
    if (url.pathname === '/tf.min.js') file = bundle;
    else if (url.pathname.startsWith('/files/')) {
      const rel = normalize(decodeURIComponent(url.pathname.slice('/files/'.length)));
      if (!rel.startsWith('..')) file = join(root, rel);
    }
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise((ok) => server.close(() => ok())) };
}

export interface TfjsOutput {
  probs: number[];
  trainableParams: number;
  outputShape: (number | null)[];
  trained: unknown;
}

/** tf.loadLayersModel in this Node process (tfjs's HTTP handler over fetch). */
export async function predictInNode(modelUrl: string, x: Float32Array, shape: [number, number, number, number]): Promise<TfjsOutput> {
  const model = await tf.loadLayersModel(modelUrl);
  try {
    const y = tf.tidy(() => model.predict(tf.tensor4d(x, shape)) as tf.Tensor);
    const probs = Array.from(await y.data());
    y.dispose();
    const trainableParams = model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
    const meta = model.getUserDefinedMetadata() as { effconv?: { trained?: unknown } } | undefined;
    return { probs, trainableParams, outputShape: model.outputs[0].shape, trained: meta?.effconv?.trained };
  } finally {
    model.dispose();
  }
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** tf.loadLayersModel in a Chromium page on tfjs's cpu backend. */
export async function predictInBrowser(page: Page, modelUrl: string, x: Float32Array, shape: [number, number, number, number]): Promise<TfjsOutput & { backend: string }> {
  return page.evaluate(async ({ url, data, dims }) => {
    const t = (globalThis as unknown as { tf: typeof tf }).tf;
    await t.setBackend('cpu');
    const model = await t.loadLayersModel(url);
    const y = model.predict(t.tensor4d(data, dims as [number, number, number, number])) as tf.Tensor;
    const probs = Array.from(await y.data());
    const trainableParams = model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
    const meta = model.getUserDefinedMetadata() as { effconv?: { trained?: unknown } } | undefined;
    return { probs, trainableParams, outputShape: model.outputs[0].shape, trained: meta?.effconv?.trained, backend: t.getBackend() };
  }, { url: modelUrl, data: Array.from(x), dims: shape });
}

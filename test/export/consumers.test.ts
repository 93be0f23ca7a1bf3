// Every export format, read by the program that will read it, against the engine's eval-mode
// softmax on 32 real test images: PyTorch (Debian's torch) loading model.py + safetensors,
// ONNX checked by onnx.checker and run by onnxruntime-node at two batch sizes, TF.js loaded
// by tf.loadLayersModel in Node and in Chromium. Runs are real: a few stage-2 steps on wasm,
// ResNet-8 on Fashion-MNIST (1 channel) and CIFAR-10 (3 channels), WRN-10-2 on CIFAR-10,
// each with mixed odd and even learned sizes (even ones at stride 2 too).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import type { Browser, Page } from 'playwright-core';
import { exportRun } from '../../main/export/export-run';
import { engineTensorSpecs } from '../../main/export/weights';
import { REPO_ROOT, withFashionMnist } from '../helpers/data';
import { cifarRun, engineProbabilities, fashionRun, IMAGES, maxAbsDiff, testImages, toNchw, type RunFixture } from './helpers/runs';
import { launchChromium, predictInBrowser, predictInNode, serve, type Served } from './helpers/tfjs-consumers';

const PYTHON = '/usr/bin/python3';
const TOLERANCE = 1e-4;
const tmp = mkdtempSync(join(tmpdir(), 'effconv-consumers-'));
await withFashionMnist(join(tmp, 'home')); // the runs name --dataset fashion-mnist: the repository's fixture
let server: Served;
let browser: Browser;
let page: Page;

before(async () => {
  server = await serve(tmp);
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${server.base}/`);
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

function python(script: string, ...args: string[]): unknown {
  const r = spawnSync(PYTHON, [join(REPO_ROOT, 'test/export/consumers', script), ...args], { encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, `${script} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

const cases: { name: string; make: (dir: string) => Promise<RunFixture>; sizes: number[] }[] = [
  { name: 'resnet8-fashion-mnist', sizes: [2, 5, 3, 4, 1, 7], make: (d) => fashionRun(d, [2, 5, 3, 4, 1, 7]) },
  { name: 'resnet8-cifar10', sizes: [5, 2, 3, 4, 6, 1], make: (d) => cifarRun(d, 'resnet8', [5, 2, 3, 4, 6, 1]) },
  { name: 'wrn-10-2-cifar10', sizes: [3, 2, 4, 5, 7, 6], make: (d) => cifarRun(d, 'wrn-10-2', [3, 2, 4, 5, 7, 6]) },
];

for (const c of cases) {
  test(`${c.name}: every export matches the engine within ${TOLERANCE} in its real consumer`, async (t) => {
    const run = await c.make(join(tmp, c.name));
    assert.deepEqual(run.config.layers.map((l) => l.kernel), c.sizes);
    assert.equal(run.config.weights?.steps, 3, 'three stage-2 steps were taken and recorded');
    const { height: H, width: W, channels: C } = run.net.input;
    const x = await testImages(run.data);
    const ref = await engineProbabilities(run, x);
    // The outputs must depend on the image, or a wrong layout could still match.
    const spread = Math.max(...Array.from({ length: 10 }, (_, k) => {
      const col = Array.from({ length: IMAGES }, (_, i) => ref[i * 10 + k]);
      return Math.max(...col) - Math.min(...col);
    }));
    t.diagnostic(`engine probabilities: largest per-class spread over the ${IMAGES} images ${spread.toFixed(3)}`);
    assert.ok(spread > 0.05, `the trained network's outputs hardly depend on the input (spread ${spread})`);
    const out = join(tmp, `${c.name}-export`);
    const r = await exportRun(run.dir, { format: 'all', out });
    assert.equal(r.trained, true);
    const total = run.config.params.total;

    await t.test('PyTorch: model.py imports, loads the weights, counts params.total, matches', () => {
      const inputs = join(tmp, `${c.name}-nchw.f32`);
      writeFileSync(inputs, toNchw(x, IMAGES, H, W, C));
      const py = python('check_pytorch.py', join(out, 'pytorch'), inputs, String(IMAGES), String(C), String(H), String(W)) as {
        params: number; state_dict: string[]; num_batches_tracked: number; trained: boolean; probs: Record<string, number[]>;
      };
      assert.equal(py.params, total);
      const expected = [...engineTensorSpecs(run.net, c.sizes).map((s) => s.name), ...run.net.batchNorms.map((b) => `${b.name}.num_batches_tracked`)];
      assert.deepEqual([...py.state_dict].sort(), expected.sort(), 'PyTorch names are the config\'s');
      for (const l of run.config.layers) assert.ok(py.state_dict.includes(`${l.name}.weight`));
      assert.equal(py.num_batches_tracked, 3);
      assert.equal(py.trained, true);
      for (const [reader, probs] of Object.entries(py.probs)) {
        const d = maxAbsDiff(probs, ref);
        t.diagnostic(`PyTorch (${reader}) max |Δp| = ${d.toExponential(2)}`);
        assert.ok(d < TOLERANCE, `PyTorch (${reader}) differs from the engine by ${d}`);
      }
      const standalone = spawnSync(PYTHON, ['model.py'], { cwd: join(out, 'pytorch'), encoding: 'utf8', timeout: 120_000 });
      assert.equal(standalone.status, 0, standalone.stderr);
      assert.match(standalone.stdout, new RegExp(`parameters: ${total.toLocaleString('en-US')} \\(config params.total ${total.toLocaleString('en-US')}\\)`));
    });

    await t.test('ONNX: onnx.checker passes; onnxruntime-node matches at batch 32 and batch 5', async () => {
      const path = join(out, 'onnx', 'model.onnx');
      const info = python('check_onnx.py', path) as {
        opset: number[]; inputs: Record<string, (string | number)[]>; outputs: Record<string, (string | number)[]>;
        inferred_outputs: Record<string, (string | number)[]>; metadata: Record<string, string>; ops: string[];
      };
      assert.deepEqual(info.opset, [13]);
      assert.deepEqual(info.inputs, { input: ['batch', C, H, W] });
      assert.deepEqual(info.outputs, { logits: ['batch', 10], probabilities: ['batch', 10] });
      assert.deepEqual(info.inferred_outputs, info.outputs);
      assert.equal(info.metadata['effconv.trained'], 'true');
      if (run.net.backbone.family === 'resnet') assert.ok(info.ops.includes('Slice') && info.ops.includes('Pad'), 'option A is Slice + Pad');
      const session = await ort.InferenceSession.create(path);
      for (const n of [IMAGES, 5]) {
        const input = new ort.Tensor('float32', toNchw(x.subarray(0, n * H * W * C), n, H, W, C), [n, C, H, W]);
        const y = await session.run({ input });
        assert.deepEqual(y.probabilities.dims, [n, 10]);
        const d = maxAbsDiff(y.probabilities.data as Float32Array, ref.subarray(0, n * 10));
        t.diagnostic(`onnxruntime batch ${n} max |Δp| = ${d.toExponential(2)}`);
        assert.ok(d < TOLERANCE, `onnxruntime (batch ${n}) differs from the engine by ${d}`);
      }
      await session.release();
    });

    const url = `${server.base}/files/${c.name}-export/tfjs/model.json`;
    const shape: [number, number, number, number] = [IMAGES, H, W, C];
    const node = await predictInNode(url, x, shape);
    await t.test('TF.js in Node: tf.loadLayersModel, trainable params = params.total, matches', () => {
      assert.equal(node.trainableParams, total);
      assert.deepEqual(node.outputShape, [null, 10]);
      assert.equal(node.trained, true);
      const d = maxAbsDiff(node.probs, ref);
      t.diagnostic(`TF.js Node max |Δp| = ${d.toExponential(2)}`);
      assert.ok(d < TOLERANCE, `TF.js in Node differs from the engine by ${d}`);
    });

    await t.test('TF.js in Chromium: the same files, the same outputs', async () => {
      const web = await predictInBrowser(page, url, x, shape);
      assert.equal(web.backend, 'cpu');
      assert.equal(web.trainableParams, total);
      assert.equal(web.trained, true);
      const d = maxAbsDiff(web.probs, ref);
      t.diagnostic(`TF.js Chromium max |Δp| = ${d.toExponential(2)}`);
      assert.ok(d < TOLERANCE, `TF.js in Chromium differs from the engine by ${d}`);
      assert.ok(maxAbsDiff(web.probs, node.probs) < TOLERANCE, 'browser and Node agree');
    });
  });
}

// The report folder of a real run (search, then stage 2, on Fashion-MNIST): report.md's facts
// against the run's own records, the figure's bars and stage boundaries in the SVG and, pixel
// by pixel, in the PNG, and metrics.csv against metrics.jsonl.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { exportRun } from '../../main/export/export-run';
import { fashionMnist, withFashionMnist } from '../helpers/data';
import { pipelineRun, type RunFixture } from './helpers/runs';
import { countColour, readPng } from './helpers/png';

const tmp = mkdtempSync(join(tmpdir(), 'effconv-report-'));
await withFashionMnist(join(tmp, 'home')); // the runs name --dataset fashion-mnist: the repository's fixture
let run: RunFixture;
let out: string;
const CHANNELS = [[16, 16], [16, 16], [16, 32], [32, 32], [32, 64], [64, 64]]; // ResNet-8's searched convs

before(async () => {
  run = await pipelineRun(join(tmp, 'run'), 'both');
  out = join(tmp, 'report');
  await exportRun(run.dir, { format: 'report', out });
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('report.md states backbone, data with checksum, budget, params, accuracy, s/epoch, machine, sizes and the command', () => {
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  const c = run.config;
  const sizes = c.layers.map((l) => l.kernel);
  const searched = CHANNELS.reduce((n, [i, o], k) => n + i * o * sizes[k] ** 2, 0);
  assert.equal(c.params.total, searched + 1274); // ResNet-8 on 28×28×1: stem 144, BN 480, fc 650
  assert.match(md, /^# resnet8 with learned kernel sizes on fashion-mnist$/m);
  assert.match(md, /\| Backbone \| resnet8: CIFAR ResNet-\(6n\+2\), post-activation basic blocks, option-A shortcuts/);
  assert.ok(md.includes(`| Dataset | fashion-mnist, sha256 \`${fashionMnist().sha256}\`; 64 train / 64 test images used |`));
  assert.ok(md.includes('| Budget | 60,000 parameters |'));
  assert.ok(md.includes(`| Parameters | ${c.params.total.toLocaleString('en-US')} (${((c.params.total / 60000) * 100).toFixed(1)} % of the budget): ${searched.toLocaleString('en-US')} in searched convs, 1,274 fixed`));
  assert.ok(md.includes(`| Top-1 / top-5 | ${(c.results!.top1! * 100).toFixed(2)} % / ${(c.results!.top5! * 100).toFixed(2)} % (test split, 64 images) |`));
  assert.ok(md.includes(`| Stage 1 (search) | 1 epoch (2 steps, batch 32), ${c.search!.secondsPerEpoch.toFixed(2)} s/epoch on wasm;`));
  assert.ok(md.includes(`| Stage 2 (train) | 1 epoch, batch 32, ${c.train!.secondsPerEpoch.toFixed(2)} s/epoch on wasm;`));
  assert.ok(md.includes(`| Machine | ${cpus()[0].model.trim()}, ${cpus().length} cores,`));
  assert.match(md, /backend device: WebAssembly( SIMD)?, (1 thread|\d+ threads of \d+ logical cores)/);
  c.layers.forEach((l, i) => assert.ok(md.includes(`| ${i + 1} | \`${l.name}\` | ${l.in} → ${l.out} | ${l.stride} | ${l.kernel}×${l.kernel} | ${l.soft!.toFixed(3)} |`), l.name));
  assert.ok(md.includes('effconv run --backbone resnet8 --dataset fashion-mnist --budget 60000 --search-epochs 1 --batch-size 32 --train-epochs 1 --train-batch-size 32 --crop 2 --no-flip --seed 3 --backend wasm --limit-train 64 --limit-test 64\n'));
  assert.ok(md.includes('![Learned kernel size per searched layer](sizes.png)'));
});

test('sizes.svg: one labelled bar per layer, the stage boundaries, the soft sizes', () => {
  const svg = readFileSync(join(out, 'sizes.svg'), 'utf8');
  const bars = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)" fill="#3b6ea5"><title>([\w.]+): (\d)×\d<\/title>/g)];
  assert.deepEqual(bars.map((m) => m[2]), run.config.layers.map((l) => l.name));
  bars.forEach((m, i) => {
    assert.equal(Number(m[3]), run.config.layers[i].kernel);
    assert.equal(Number(m[1]), run.config.layers[i].kernel * 22, 'bar height is 22 pt per size step');
  });
  assert.equal((svg.match(/stroke-dasharray/g) ?? []).length, 2, 'two boundaries between three stages');
  for (const label of ['b1.conv1', 'b1.conv2', 'stage 1', 'stage 2', 'stage 3', 'kernel size s (s×s)', 'soft size v']) assert.ok(svg.includes(label), label);
  assert.equal((svg.match(/stroke="#c0392b"/g) ?? []).length, 6 + 1, 'a soft-size mark per layer, and the legend');
});

test('sizes.png: 300 dpi, the bars\' area in the bar colour, text and soft marks drawn', () => {
  const svg = readFileSync(join(out, 'sizes.svg'), 'utf8');
  const [, wPt, hPt] = /width="([\d.]+)pt" height="([\d.]+)pt"/.exec(svg)!.map(Number);
  const png = readPng(readFileSync(join(out, 'sizes.png')));
  assert.equal(png.width, Math.round((wPt * 300) / 72));
  assert.ok(Math.abs(png.height - (hPt * 300) / 72) <= 1);
  const phys = new DataView(png.chunks.get('pHYs')!.buffer, png.chunks.get('pHYs')!.byteOffset, 9);
  assert.deepEqual([phys.getUint32(0), phys.getUint32(4), phys.getUint8(8)], [11811, 11811, 1], '300 dpi = 11,811 pixels per metre');
  // Bars: width 0.68 of a slot, 22 pt per size step; the legend swatch is 7×8 pt.
  const slot = Math.min(36, Math.max(10, 420 / 6));
  const scale = png.width / wPt;
  const barArea = run.config.layers.reduce((a, l) => a + slot * 0.68 * l.kernel * 22, 0) + 7 * 8;
  const blue = countColour(png, [0x3b, 0x6e, 0xa5]);
  const expected = barArea * scale * scale;
  assert.ok(Math.abs(blue - expected) / expected < 0.04, `bar pixels ${blue}, expected about ${Math.round(expected)}`);
  assert.ok(countColour(png, [0x22, 0x22, 0x22], 40) > 2000, 'labels and axes are drawn');
  assert.ok(countColour(png, [0xc0, 0x39, 0x2b], 20) > 500, 'soft-size marks are drawn');
});

test('metrics.csv has a row per metrics.jsonl event and the values as written', () => {
  const events = readFileSync(join(run.dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const rows = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const header = rows[0];
  assert.equal(rows.length, events.length + 1);
  assert.equal(header.length, 21 + 12);
  assert.deepEqual(header.slice(21, 23), ['size:stage1.block1.conv1', 'size:stage1.block1.conv2']);
  const i = events.findIndex((e) => e.type === 'step' && e.stage === 1);
  const row = Object.fromEntries(header.map((h, k) => [h, rows[i + 1][k]]));
  assert.equal(Number(row.loss), events[i].loss);
  assert.equal(Number(row.lparam), events[i].lparam);
  assert.equal(Number(row['soft:stage3.block1.conv2']), (events[i].soft as number[])[5]);
  const epoch2 = events.findIndex((e) => e.type === 'epoch' && e.stage === 2);
  assert.equal(Number(rows[epoch2 + 1][header.indexOf('top1')]), run.config.results!.top1);
});

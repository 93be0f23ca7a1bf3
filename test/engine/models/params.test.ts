import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EffconvError } from '../../../main/contract/errors';
import { describeNetwork, parseBackbone } from '../../../main/engine/models/backbone';
import { budgetRange, checkBudgetReachable, countParams, fixedParamCount, parseBudget, uniformSizes } from '../../../main/engine/models/params';

const cifar = { height: 32, width: 32, channels: 3 };

test('plain 3×3 ResNets on 3×32×32, 10 classes, have the published parameter counts', () => {
  const expected: Record<string, number> = { resnet20: 269_722, resnet32: 464_154, resnet44: 658_586, resnet56: 853_018 };
  for (const [name, count] of Object.entries(expected)) {
    const net = describeNetwork(parseBackbone(name), cifar, 10);
    assert.equal(countParams(net, uniformSizes(net, 3)), count, name);
  }
});

test('ResNet-20 count by hand: stem, BN γ/β, convs per stage, FC with bias', () => {
  const net = describeNetwork(parseBackbone('resnet20'), cifar, 10);
  // stem 3·16·9 = 432; BN: 7 of 16, 6 of 32, 6 of 64 channels, γ+β each = 2·(112+192+384) = 1376; FC 64·10+10 = 650
  assert.equal(fixedParamCount(net), 432 + 1376 + 650);
  assert.equal(net.layers.length, 18);
  // all-1×1: Σ c·c = 6·256 + 512 + 5·1024 + 2048 + 5·4096 = 29696
  assert.equal(countParams(net, uniformSizes(net, 1)), 432 + 1376 + 650 + 29_696);
  // An even size in one layer: stage1.block1.conv1 at 4 instead of 3 adds 16·16·(16−9) = 1792
  const sizes = uniformSizes(net, 3);
  sizes[0] = 4;
  assert.equal(countParams(net, sizes), 269_722 + 1792);
});

test('WRN-28-1 has 1×1 projections where the width or stride changes and ≈0.37M parameters', () => {
  const net = describeNetwork(parseBackbone('wrn-28-1'), cifar, 10);
  assert.deepEqual(net.blocks.filter((b) => b.shortcut === 'projection').map((b) => b.name), ['stage2.block1', 'stage3.block1']);
  // convs 364,464 (incl. stem) + projections 16·32 + 32·64 = 2,560 + BN 1,824 + FC 650
  assert.equal(countParams(net, uniformSizes(net, 3)), 369_498);
  const wide = describeNetwork(parseBackbone('wrn-16-4'), cifar, 100);
  assert.deepEqual(wide.layers[0], { name: 'stage1.block1.conv1', in: 16, out: 64, stride: 1 });
  assert.equal(wide.blocks[0].shortcut, 'projection');
});

test('one-channel 28×28 input changes only the stem and the class count only the FC', () => {
  const a = describeNetwork(parseBackbone('resnet20'), { height: 28, width: 28, channels: 1 }, 10);
  const b = describeNetwork(parseBackbone('resnet20'), cifar, 100);
  assert.equal(countParams(a, uniformSizes(a, 3)), 269_722 - 2 * 16 * 9);
  assert.equal(countParams(b, uniformSizes(b, 3)), 269_722 + 90 * 64 + 90);
});

test('backbone names: resnetN for 6n+2, wrn-D-K for 6n+4; others are refused with a reason', () => {
  assert.equal(parseBackbone('resnet110').depth, 110);
  assert.equal(parseBackbone('ResNet-8').depth, 8);
  assert.deepEqual(parseBackbone('wrn-28-10').widths, [160, 320, 640]);
  for (const bad of ['resnet21', 'resnet2', 'wrn-27-1', 'vgg16', 'wrn-28-0']) {
    assert.throws(() => parseBackbone(bad), (e: unknown) => e instanceof EffconvError && e.code === 'BACKBONE_INVALID', bad);
  }
});

test('budgets parse as 400000, 400k, 0.4M; garbage is refused', () => {
  assert.equal(parseBudget('400000'), 400_000);
  assert.equal(parseBudget('400k'), 400_000);
  assert.equal(parseBudget('0.4M'), 400_000);
  assert.equal(parseBudget('1.25m'), 1_250_000);
  for (const bad of ['', 'abc', '-5', '0', '4e5x', '0.4G']) assert.throws(() => parseBudget(bad), /budget/, bad);
});

test('a budget outside all-1×1 … all-7×7 is refused with the reachable range', () => {
  const net = describeNetwork(parseBackbone('resnet20'), cifar, 10);
  const r = budgetRange(net);
  assert.deepEqual(r, { min: 32_154, baseline: 269_722, max: 1_457_562 });
  assert.doesNotThrow(() => checkBudgetReachable(net, 400_000));
  assert.throws(() => checkBudgetReachable(net, 20_000), (e: unknown) => e instanceof EffconvError && e.code === 'BUDGET_UNREACHABLE' && /32,154.*1,457,562/.test(e.message));
  assert.throws(() => checkBudgetReachable(net, 2_000_000), /outside/);
});

// Layout conversions against hand-worked indices, the checks on a weight set, and the fresh
// weights of a search-only export being exactly what stage 2 starts from.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeNetwork, parseBackbone } from '../../main/engine/models/backbone';
import { countParams } from '../../main/engine/models/params';
import { PlainModel } from '../../main/engine/train/plain-model';
import { checkWeightSet, engineTensorSpecs, filterToOihw, freshWeights, toTorchLayout, transpose2d } from '../../main/export/weights';

test('filters [kh,kw,in,out] become [out,in,kh,kw]: w[o][i][y][x] = f[y][x][i][o]', () => {
  // f[y][x][i][o] = 1000y + 100x + 10i + o, kh=2, kw=3, in=2, out=4
  const [kh, kw, ci, co] = [2, 3, 2, 4];
  const data = new Float32Array(kh * kw * ci * co);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) {
    data[((y * kw + x) * ci + i) * co + o] = 1000 * y + 100 * x + 10 * i + o;
  }
  const t = filterToOihw({ shape: [kh, kw, ci, co], data });
  assert.deepEqual(t.shape, [4, 2, 2, 3]);
  // t[o=3][i=1][y=1][x=2] sits at ((3·2 + 1)·2 + 1)·3 + 2 = 47 and must be 1000 + 200 + 10 + 3
  assert.equal(t.data[47], 1213);
  assert.equal(t.data[0], 0);
  assert.equal(t.data[1], 100); // x advances fastest
  assert.equal(t.data[3], 1000); // then y
  assert.equal(t.data[6], 10); // then i
  assert.equal(t.data[12], 1); // then o
});

test('fc [in,out] becomes [out,in]; BN vectors and names are unchanged', () => {
  const t = transpose2d({ shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) });
  assert.deepEqual(t, { shape: [3, 2], data: Float32Array.of(1, 4, 2, 5, 3, 6) });
  const w = new Map([
    ['fc.weight', { shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) }],
    ['stem.bn.running_var', { shape: [2], data: Float32Array.of(0.5, 2) }],
  ]);
  const torch = toTorchLayout(w);
  assert.deepEqual([...torch.keys()], ['fc.weight', 'stem.bn.running_var']);
  assert.deepEqual(torch.get('fc.weight')!.shape, [3, 2]);
  assert.equal(torch.get('stem.bn.running_var'), w.get('stem.bn.running_var'));
});

test('the tensor list covers params.total plus two BN statistics per BN', () => {
  const net = describeNetwork(parseBackbone('wrn-10-2'), { height: 32, width: 32, channels: 3 }, 10);
  const sizes = [3, 2, 4, 5, 7, 6];
  const specs = engineTensorSpecs(net, sizes);
  const stats = specs.filter((s) => /running_(mean|var)$/.test(s.name));
  const count = (list: typeof specs) => list.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  assert.equal(count(specs) - count(stats), countParams(net, sizes));
  assert.equal(stats.length, 2 * net.batchNorms.length);
  assert.ok(specs.some((s) => s.name === 'stage2.block1.shortcut.weight'), 'WRN projections are there');
});

test('a search-only export gets exactly the weights stage 2 would start from with that seed', async () => {
  const net = describeNetwork(parseBackbone('resnet8'), { height: 28, width: 28, channels: 1 }, 10);
  const sizes = [2, 5, 3, 4, 1, 7];
  const fresh = await freshWeights(net, sizes, 11);
  const model = new PlainModel(net, sizes, 11, { lr: 0.1, momentum: 0.9, weightDecay: 5e-4, nesterov: true });
  const start = await model.store.snapshot();
  model.dispose();
  assert.deepEqual([...fresh.keys()].sort(), Object.keys(start).sort());
  for (const [name, t] of fresh) assert.deepEqual(t.data, start[name].data, name);
  checkWeightSet(fresh, net, sizes, 'fresh');
  assert.throws(() => checkWeightSet(fresh, net, [2, 5, 3, 4, 1, 6], 'model.safetensors'), {
    code: 'WEIGHTS_INVALID', message: 'model.safetensors: stage3.block1.conv2.weight has shape [7,7,64,64], the config needs [6,6,64,64] (were the kernel sizes edited after training?)',
  });
  const broken = new Map(fresh);
  broken.set('fc.bias', { shape: [10], data: new Float32Array(10).fill(Number.NaN) });
  assert.throws(() => checkWeightSet(broken, net, sizes, 'w'), { message: 'w: fc.bias holds NaN or infinite values (training diverged)' });
  broken.delete('fc.bias');
  assert.throws(() => checkWeightSet(broken, net, sizes, 'w'), { message: 'w: tensor fc.bias is missing' });
});

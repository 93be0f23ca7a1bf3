#!/usr/bin/python3
"""PyTorch's side of test/engine/train/torch-steps.test.ts: the engine's own starting weights,
a few training steps in PyTorch on the same batches, and what came out, in the engine's names
and layouts.

The models are bench/torch_steps.py's (METHOD.md in PyTorch). Reads one JSON object on stdin:
  stage     1 (search: both predictors, mask, budget loss, the two AdamW groups) or
            2 (the found CNN: SGD with Nesterov momentum, L2 decay, BN running statistics)
  blocks    residual blocks a stage (1 = ResNet-8); channels, classes, height, width
  params    {name: {shape, data}} in the engine's names and layouts (HWIO convs, [in, out] fc)
  sizes     stage 2: the kernel sizes;  budget: stage 1: p_d
  batches   [{x: NHWC floats, labels}];  lrs: stage 2: the learning rate of each step
  dtype     'float32' (default) or 'float64'
Writes {"steps": [{...metrics, weights: {name: flat data in the engine's layout}}], one entry
per step, the parameters as they are after it}.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, '..', '..', '..', 'bench'))
from torch_steps import Cnn, Search, layer_specs, train_optimizer  # noqa: E402

torch.set_num_threads(1)


def tensor(p):
    return torch.tensor(p['data'], dtype=torch.get_default_dtype()).reshape(p['shape'])


def hwio_to_oihw(t):
    return t.permute(3, 2, 0, 1).contiguous()


def block_names(blocks):
    """Engine names of the searched convs and their BNs, in forward order."""
    out = []
    for stage in range(3):
        for b in range(blocks):
            for c in (1, 2):
                out.append((f'stage{stage + 1}.block{b + 1}.conv{c}', f'stage{stage + 1}.block{b + 1}.bn{c}'))
    return out


class Mapping:
    """Each engine name to a PyTorch tensor, with the layout change both ways."""

    def __init__(self):
        self.items = []  # (engine name, torch tensor, to_torch, to_engine)

    def add(self, name, t, to_torch=lambda x: x, to_engine=lambda x: x):
        self.items.append((name, t, to_torch, to_engine))

    def load(self, params):
        with torch.no_grad():
            for name, t, to_torch, _ in self.items:
                if name not in params:
                    sys.exit(f'the engine sent no {name}')
                value = to_torch(tensor(params[name]))
                if value.shape != t.shape:
                    sys.exit(f'{name}: the engine sent {list(value.shape)}, PyTorch has {list(t.shape)}')
                t.copy_(value)

    def dump(self):
        return {name: to_engine(t.detach()).contiguous().reshape(-1).tolist() for name, t, _, to_engine in self.items}


def map_cnn(m, cnn, names):
    m.add('stem.conv.weight', cnn.stem.data, hwio_to_oihw, lambda t: t.permute(2, 3, 1, 0))
    bns = [('stem.bn', cnn.stem_bn)] + [(bn, cnn.bns[i]) for i, (_, bn) in enumerate(names)]
    for name, bn in bns:
        m.add(f'{name}.weight', bn.weight.data)
        m.add(f'{name}.bias', bn.bias.data)
        m.add(f'{name}.running_mean', bn.running_mean)
        m.add(f'{name}.running_var', bn.running_var)
    m.add('fc.weight', cnn.fc.weight.data, lambda t: t.t(), lambda t: t.t())
    m.add('fc.bias', cnn.fc.bias.data)


def batches(req):
    h, w, c = req['height'], req['width'], req['channels']
    for b in req['batches']:
        x = torch.tensor(b['x'], dtype=torch.get_default_dtype()).reshape(-1, h, w, c).permute(0, 3, 1, 2).contiguous()
        yield x, torch.tensor(b['labels'], dtype=torch.int64)


def stage2(req):
    layers = layer_specs(req['blocks'])
    names = block_names(req['blocks'])
    cnn = Cnn(layers, req['classes'], req['channels'])
    weights = torch.nn.ParameterList(
        torch.nn.Parameter(torch.zeros(o, i, s, s)) for (i, o, _), s in zip(layers, req['sizes'])
    )
    m = Mapping()
    map_cnn(m, cnn, names)
    for (conv, _), w in zip(names, weights):
        m.add(f'{conv}.weight', w.data, hwio_to_oihw, lambda t: t.permute(2, 3, 1, 0))
    m.load(req['params'])
    opt = train_optimizer(list(cnn.parameters()) + list(weights))
    steps = []
    for (x, y), lr in zip(batches(req), req['lrs']):
        for g in opt.param_groups:
            g['lr'] = lr
        logits = cnn(x, list(weights))
        loss = F.cross_entropy(logits, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        steps.append({'loss': loss.item(), 'acc': (logits.argmax(1) == y).float().mean().item(), 'weights': m.dump()})
    return steps


def stage1(req):
    layers = layer_specs(req['blocks'])
    names = block_names(req['blocks'])
    run = Search(layers, req['budget'], req['channels'], req['classes'])
    sp, kp = run.sp, run.kp
    m = Mapping()
    map_cnn(m, run.cnn, names)
    # nn.GRU keeps [3h, in]; the engine multiplies by [in, 3h]
    m.add('sp.w_ih', sp.gru.weight_ih_l0.data, lambda t: t.t(), lambda t: t.t())
    m.add('sp.w_hh', sp.gru.weight_hh_l0.data, lambda t: t.t(), lambda t: t.t())
    m.add('sp.b_ih', sp.gru.bias_ih_l0.data)
    m.add('sp.b_hh', sp.gru.bias_hh_l0.data)
    m.add('sp.head_w', sp.head_w.data)
    m.add('sp.head_b', sp.head_b.data)
    m.add('sp.z', sp.z, lambda t: t.reshape(len(layers), 1, -1), lambda t: t.reshape(len(layers), -1))
    for key in ('w_ih', 'w_hh', 'b_ih', 'b_hh'):
        m.add(f'kp.{key}', getattr(kp, key).data)
    m.add('kp.z', kp.z)
    for l, (conv, _) in enumerate(names):
        m.add(f'kp.{conv}.head_w', kp.head_w[l].data)
        m.add(f'kp.{conv}.head_b', kp.head_b[l].data)
    m.load(req['params'])
    return [{**run.step(x, y), 'weights': m.dump()} for x, y in batches(req)]


def main():
    req = json.load(sys.stdin)
    # float64: the same steps with every tensor in double precision, to tell whose float32
    # rounding a difference is
    torch.set_default_dtype(torch.float64 if req.get('dtype') == 'float64' else torch.float32)
    steps = (stage1 if req['stage'] == 1 else stage2)(req)
    json.dump({'steps': steps, 'torch': torch.__version__}, sys.stdout)


if __name__ == '__main__':
    main()

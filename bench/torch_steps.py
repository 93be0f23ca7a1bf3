#!/usr/bin/python3
"""The EffConv steps of the engine, in PyTorch, for `npm run bench` to time beside ours.

Same network and step as main/engine (METHOD.md): a CIFAR ResNet-20 (post-activation
blocks, option-A shortcuts, 'same' padding with (s-1)//2 before and s//2 after), batch norm
with PyTorch's defaults; stage 1 with the size predictor (GRU over the layers, per-layer
head, v = k·tanh(x/τ + b) + k + 1, straight-through rounding), the batched kernel predictor
(one GRU per layer run for s² steps, per-layer heads), the Gaussian mask, the budget loss
|log(p/p_d)| and two AdamW groups; stage 2 the plain network with SGD + Nesterov.

It serves timing requests as JSON lines on stdin/stdout so the caller can interleave its own
repetitions with these:  {"cmd": "step", "stage": 1, "size": 3}  ->  {"ms": 123.4}
Started with --threads N (torch.set_num_threads) and --data FILE (CIFAR-10 binary, .gz).
"""
import argparse
import gzip
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

K, TAU, B_SHIFT, LAMBDA = 3.0, 3.0, -0.35, 2.0
HIDDEN = 64
WIDTHS = (16, 32, 64)


def layer_specs(blocks_per_stage=3):
    """(in, out, stride) of every searched conv, in forward order."""
    layers, cin = [], 16
    for stage, cout in enumerate(WIDTHS):
        for b in range(blocks_per_stage):
            stride = 2 if stage > 0 and b == 0 else 1
            layers.append((cin, cout, stride))
            layers.append((cout, cout, 1))
            cin = cout
    return layers


def conv_same(x, w, stride):
    s = w.shape[-1]
    before, after = (s - 1) // 2, s // 2
    if before == after:  # odd sizes: the conv's own padding (an explicit F.pad costs a copy)
        return F.conv2d(x, w, stride=stride, padding=before)
    return F.conv2d(F.pad(x, (before, after, before, after)), w, stride=stride)


def option_a(x, cin, cout, stride):
    if stride != 1:
        x = x[:, :, ::stride, ::stride]
    extra = cout - cin
    if extra:
        x = F.pad(x, (0, 0, 0, 0, extra // 2, extra - extra // 2))
    return x


class Cnn(nn.Module):
    """The CNN's own parameters; searched conv weights are passed to forward()."""

    def __init__(self, layers, classes=10, channels=3):
        super().__init__()
        self.layers = layers
        self.stem = nn.Parameter(torch.randn(16, channels, 3, 3) * math.sqrt(2 / (9 * channels)))
        self.stem_bn = nn.BatchNorm2d(16)
        self.bns = nn.ModuleList(nn.BatchNorm2d(out) for (_, out, _) in layers)
        self.fc = nn.Linear(WIDTHS[-1], classes)
        nn.init.kaiming_normal_(self.fc.weight)  # He-normal, as the engine (its bias keeps Linear's)

    def forward(self, x, weights):
        h = F.relu(self.stem_bn(conv_same(x, self.stem, 1)))
        for i in range(0, len(self.layers), 2):
            cin, cout, stride = self.layers[i]
            o = F.relu(self.bns[i](conv_same(h, weights[i], stride)))
            o = self.bns[i + 1](conv_same(o, weights[i + 1], 1))
            h = F.relu(o + (h if stride == 1 and cin == cout else option_a(h, cin, cout, stride)))
        return self.fc(h.mean((2, 3)))


class SizePredictor(nn.Module):
    def __init__(self, n_layers):
        super().__init__()
        self.register_buffer('z', torch.randn(n_layers, 1, HIDDEN))
        self.gru = nn.GRU(HIDDEN, HIDDEN)
        self.head_w = nn.Parameter(torch.empty(n_layers, HIDDEN).uniform_(-0.0125, 0.0125))
        self.head_b = nn.Parameter(torch.zeros(n_layers))

    def forward(self):
        hs, _ = self.gru(self.z)  # [L, 1, h]
        x = (hs[:, 0, :] * self.head_w).sum(1) + self.head_b
        return K * torch.tanh(x / TAU + B_SHIFT) + K + 1

    def pin(self, size):
        """Head weights 0 and the bias that gives v = size for every layer (6.9 for 7: v < 2K + 1)."""
        v = min(size, 2 * K + 1 - 0.1)
        with torch.no_grad():
            self.head_w.zero_()
            self.head_b.fill_(TAU * (math.atanh((v - K - 1) / K) - B_SHIFT))


class KernelPredictor(nn.Module):
    def __init__(self, layers):
        super().__init__()
        n = len(layers)
        bound = 1 / math.sqrt(HIDDEN)
        u = lambda *s: nn.Parameter(torch.empty(*s).uniform_(-bound, bound))
        self.register_buffer('z', torch.randn(n, 1, HIDDEN))
        self.w_ih, self.w_hh = u(n, HIDDEN, 3 * HIDDEN), u(n, HIDDEN, 3 * HIDDEN)
        self.b_ih, self.b_hh = u(n, 1, 3 * HIDDEN), u(n, 1, 3 * HIDDEN)
        self.head_w = nn.ParameterList(u(HIDDEN, cin * cout) for (cin, cout, _) in layers)
        self.head_b = nn.ParameterList(u(cin * cout) for (cin, cout, _) in layers)
        self.layers = layers

    def forward(self, sizes):
        steps = max(s * s for s in sizes)
        x_proj = torch.baddbmm(self.b_ih, self.z, self.w_ih)  # constant input
        xr, xz, xn = x_proj.chunk(3, 2)
        h = torch.zeros_like(self.z)
        outs = []
        for _ in range(steps):  # every layer's GRU advances together
            hr, hz, hn = torch.baddbmm(self.b_hh, h, self.w_hh).chunk(3, 2)
            r, zg = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
            n = torch.tanh(xn + r * hn)
            h = n + zg * (h - n)
            outs.append(h)
        hs = torch.cat(outs, 1)  # [L, T, h]
        kernels = []
        for l, s in enumerate(sizes):
            cin, cout, _ = self.layers[l]
            w = hs[l, : s * s] @ self.head_w[l] + self.head_b[l]  # [s², in·out]
            kernels.append(w.view(s, s, cin, cout).permute(3, 2, 0, 1))  # [out, in, s, s]
        return kernels


def gaussian_mask(v, s):
    centres = torch.arange(s, dtype=v.dtype) + 0.5
    d = (centres - v / 2) ** 2
    return torch.exp(-(d[:, None] + d[None, :]) / v**2)


class Search:
    """Stage 1 of METHOD.md: the CNN, both predictors, L = CE + λ·|log(p/p_d)| and the two AdamW groups."""

    def __init__(self, layers, budget, channels=3, classes=10):
        self.cnn = Cnn(layers, classes, channels)
        self.sp = SizePredictor(len(layers))
        self.kp = KernelPredictor(layers)
        self.coef = torch.tensor([float(i * o) for (i, o, _) in layers])
        self.p_fixed = float(sum(p.numel() for p in self.cnn.parameters()))
        self.budget = budget
        self.opt_sp_cnn = torch.optim.AdamW(list(self.sp.parameters()) + list(self.cnn.parameters()), lr=1e-4, weight_decay=1e-3)
        self.opt_kp = torch.optim.AdamW(self.kp.parameters(), lr=1e-3, weight_decay=1e-3)

    def sizes(self):
        """The hard sizes round(v), half to even as tf.round (and Python's round)."""
        with torch.no_grad():
            return [int(s) for s in torch.round(self.sp()).tolist()]

    def step(self, x, y):
        sizes = self.sizes()  # the shapes of this step, read before it as the engine does
        v = self.sp()
        s = v + (torch.round(v) - v).detach()  # straight-through
        p = self.p_fixed + (self.coef * s * s).sum()
        l_param = torch.abs(torch.log(p / self.budget))
        weights = [w * gaussian_mask(v[l], sizes[l]) for l, w in enumerate(self.kp(sizes))]
        ce = F.cross_entropy(self.cnn(x, weights), y)
        loss = ce + LAMBDA * l_param
        self.opt_sp_cnn.zero_grad(set_to_none=True)
        self.opt_kp.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_sp_cnn.step()
        self.opt_kp.step()
        return {'loss': loss.item(), 'ce': ce.item(), 'lparam': l_param.item(), 'params': p.item(),
                'soft': v.detach().tolist(), 'hard': sizes}


def he_normal_conv(cin, cout, size):
    return torch.randn(cout, cin, size, size) * math.sqrt(2 / (cin * size * size))


def train_optimizer(params):
    """Stage 2's SGD: Nesterov momentum 0.9, L2 decay 5e-4 (the caller sets each step's lr)."""
    return torch.optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)


class SearchStep:
    """The bench's stage-1 step: every size pinned (the head's weights 0, its bias set) after each step."""

    def __init__(self, size, budget=400_000):
        self.search = Search(layer_specs(), budget)
        self.size = size
        self.search.sp.pin(size)

    def __call__(self, x, y):
        r = self.search.step(x, y)
        self.search.sp.pin(self.size)
        return r['loss'], r['ce'], r['lparam']


class TrainStep:
    def __init__(self, size):
        self.layers = layer_specs()
        self.cnn = Cnn(self.layers)
        self.weights = nn.ParameterList(nn.Parameter(he_normal_conv(i, o, size)) for (i, o, _) in self.layers)
        self.opt = train_optimizer(list(self.cnn.parameters()) + list(self.weights))

    def __call__(self, x, y):
        logits = self.cnn(x, list(self.weights))
        loss = F.cross_entropy(logits, y)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return loss.item(), (logits.argmax(1) == y).float().sum().item()


def cifar_batches(path, batch, count=4):
    raw = gzip.open(path).read() if path.endswith('.gz') else open(path, 'rb').read()
    rec = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3073)
    labels = torch.from_numpy(rec[:, 0].astype(np.int64))
    images = torch.from_numpy(rec[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255)
    mean, std = images.mean((0, 2, 3), keepdim=True), images.std((0, 2, 3), keepdim=True)
    images = (images - mean) / std
    count = min(count, len(rec) // batch)  # whole batches only (the repository's fixture has 250 records)
    return [(images[i * batch : (i + 1) * batch].contiguous(), labels[i * batch : (i + 1) * batch]) for i in range(count)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, required=True)
    ap.add_argument('--data', required=True)
    ap.add_argument('--batch', type=int, default=64)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    batches = cifar_batches(a.data, a.batch)
    steps, counter = {}, 0
    print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        if req.get('cmd') == 'quit':
            break
        key = (req['stage'], req['size'])
        if key not in steps:
            steps[key] = SearchStep(req['size']) if req['stage'] == 1 else TrainStep(req['size'])
        x, y = batches[counter % len(batches)]
        counter += 1
        t0 = time.perf_counter()
        metrics = steps[key](x, y)
        ms = (time.perf_counter() - t0) * 1000
        print(json.dumps({'ms': ms, 'metrics': metrics}), flush=True)


if __name__ == '__main__':
    main()

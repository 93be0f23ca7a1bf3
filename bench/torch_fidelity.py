#!/usr/bin/python3
"""The README's fidelity protocol in PyTorch: a reference to hold the engine's top-1 against.

Both stages of METHOD.md on an idx data set (MNIST or Fashion-MNIST), with the models of
bench/torch_steps.py (the same network, predictors, mask and budget loss the bench times):

  stage 1  1 epoch (--search-epochs) of the search, batch 64, the two AdamW groups; the sizes
           are read from the size predictor before each step, as the engine does;
  stage 2  the found CNN afresh (He-normal convs and classifier weight, BN γ=1 β=0), SGD with
           Nesterov momentum 0.9, lr 0.1 on a per-step cosine, weight decay 5e-4, batch 128,
           2 epochs (--train-epochs); top-1/top-5 on the test split with BN running statistics.

Data as the engine's sampler: a seeded shuffle each epoch, the last partial batch dropped,
random crop from a copy zero-padded by --crop (black, before normalisation), no flip,
normalised by the training split's per-channel mean and population std.

  /usr/bin/python3 bench/torch_fidelity.py --data DIR --seed 0 [--threads 2] [--json FILE]

DIR holds train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz
and t10k-labels-idx1-ubyte.gz (Debian's dataset-fashion-mnist puts them in
/usr/share/datasets/fashion-mnist). Prints one line per epoch and, last, one JSON line.
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_steps import Cnn, Search, he_normal_conv, layer_specs, train_optimizer  # noqa: E402


def read_idx(path, header):
    raw = gzip.open(path).read()
    return np.frombuffer(raw, dtype=np.uint8, offset=header)


def load_split(folder, prefix):
    images = read_idx(os.path.join(folder, f'{prefix}-images-idx3-ubyte.gz'), 16).reshape(-1, 1, 28, 28)
    labels = read_idx(os.path.join(folder, f'{prefix}-labels-idx1-ubyte.gz'), 8).astype(np.int64)
    if len(images) != len(labels):
        sys.exit(f'{folder}: {prefix} has {len(images)} images and {len(labels)} labels')
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.copy())


class Batches:
    """Seeded shuffles, whole batches only, zero-padded random crop, normalisation."""

    def __init__(self, images, labels, batch, crop, mean, std, seed):
        self.images, self.labels, self.batch, self.crop = images, labels, batch, crop
        self.mean, self.std = mean, std
        self.gen = torch.Generator().manual_seed(seed)
        self.per_epoch = len(images) // batch

    def epoch(self):
        order = torch.randperm(len(self.images), generator=self.gen)
        pad, (h, w) = self.crop, self.images.shape[2:]
        for i in range(self.per_epoch):
            idx = order[i * self.batch : (i + 1) * self.batch]
            x = self.images[idx]
            if pad:
                padded = F.pad(x, (pad, pad, pad, pad))
                offsets = torch.randint(0, 2 * pad + 1, (len(idx), 2), generator=self.gen)
                x = torch.stack([padded[j, :, dy : dy + h, dx : dx + w] for j, (dy, dx) in enumerate(offsets.tolist())])
            yield (x.float() / 255 - self.mean) / self.std, self.labels[idx]


def evaluate(cnn, weights, images, labels, mean, std, batch=256):
    cnn.eval()
    top1 = top5 = 0
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = (images[i : i + batch].float() / 255 - mean) / std
            y = labels[i : i + batch]
            best = cnn(x, weights).topk(5, 1).indices
            top1 += (best[:, 0] == y).sum().item()
            top5 += (best == y[:, None]).any(1).sum().item()
    cnn.train()
    return top1 / len(images), top5 / len(images)


def search(layers, channels, budget, batches, epochs):
    run = Search(layers, budget, channels)
    for epoch in range(epochs):
        t0, ce_sum = time.perf_counter(), 0.0
        for x, y in batches.epoch():
            ce_sum += run.step(x, y)['ce']
        print(f'search epoch {epoch + 1}/{epochs}: ce {ce_sum / batches.per_epoch:.4f}, sizes {" ".join(map(str, run.sizes()))}, '
              f'{time.perf_counter() - t0:.0f} s', flush=True)
    sizes = run.sizes()
    return sizes, run.p_fixed + sum(i * o * s * s for (i, o, _), s in zip(layers, sizes))


def train(layers, channels, sizes, batches, epochs, test, mean, std):
    cnn = Cnn(layers, channels=channels)
    weights = torch.nn.ParameterList(torch.nn.Parameter(he_normal_conv(i, o, s)) for (i, o, _), s in zip(layers, sizes))
    opt = train_optimizer(list(cnn.parameters()) + list(weights))
    total, step, result = epochs * batches.per_epoch, 0, None
    for epoch in range(epochs):
        t0, loss_sum = time.perf_counter(), 0.0
        for x, y in batches.epoch():
            for g in opt.param_groups:
                g['lr'] = 0.05 * (1 + math.cos(math.pi * step / total))
            loss = F.cross_entropy(cnn(x, list(weights)), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item()
            step += 1
        result = evaluate(cnn, list(weights), *test, mean, std)
        print(f'train epoch {epoch + 1}/{epochs}: loss {loss_sum / batches.per_epoch:.4f}, top-1 {100 * result[0]:.2f}%, '
              f'top-5 {100 * result[1]:.2f}%, {time.perf_counter() - t0:.0f} s', flush=True)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data', required=True, help='folder with the four idx .gz files')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--budget', type=float, default=400_000)
    ap.add_argument('--search-epochs', type=int, default=1)
    ap.add_argument('--train-epochs', type=int, default=2)
    ap.add_argument('--crop', type=int, default=2)
    ap.add_argument('--sizes', help='skip the search: the 18 sizes, comma-separated')
    ap.add_argument('--limit', type=int, help='use only the first N training images (a smoke test)')
    ap.add_argument('--json', help='also write the result here')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train_x, train_y = load_split(a.data, 'train')
    if a.limit:
        train_x, train_y = train_x[: a.limit], train_y[: a.limit]
    test = load_split(a.data, 't10k')
    pixels = train_x.double() / 255
    mean, std = pixels.mean().item(), pixels.std(unbiased=False).item()
    layers = layer_specs()
    t0 = time.perf_counter()
    if a.sizes:
        sizes = [int(s) for s in a.sizes.split(',')]
        params = None
    else:
        sizes, params = search(layers, 1, a.budget, Batches(train_x, train_y, 64, a.crop, mean, std, a.seed), a.search_epochs)
    top1, top5 = train(layers, 1, sizes, Batches(train_x, train_y, 128, a.crop, mean, std, a.seed + 1), a.train_epochs, test, mean, std)
    out = {'seed': a.seed, 'sizes': sizes, 'params': params, 'top1': top1, 'top5': top5,
           'seconds': round(time.perf_counter() - t0, 1), 'torch': torch.__version__, 'threads': torch.get_num_threads()}
    print(json.dumps(out), flush=True)
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(out, f)


if __name__ == '__main__':
    main()

// The body of the exported model.py: a self-contained PyTorch module (torch only) that builds
// the learned network exactly as the engine computes it and loads model.safetensors.
// The generator (pytorch.ts) puts the header and the architecture above it.

export const MODEL_PY_BODY = String.raw`
import json
import os
import struct
import sys
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F


class SameConv2d(nn.Conv2d):
    """Bias-free conv with the engine's 'same' rule for any size and stride: pad (k-1)//2
    before and k//2 after (an even kernel gets one more row/column after than before)."""

    def __init__(self, cin, cout, kernel, stride=1):
        super().__init__(cin, cout, kernel, stride=stride, padding=0, bias=False)
        self.same = ((kernel - 1) // 2, kernel // 2)

    def forward(self, x):
        before, after = self.same
        if before or after:
            x = F.pad(x, (before, after, before, after))
        return super().forward(x)

    def extra_repr(self):
        return super().extra_repr() + ", same_pad={}".format(self.same)


class OptionAShortcut(nn.Module):
    """Parameter-free 'option A' shortcut: subsample by the stride, then zero-pad the new
    channels, (out-in)//2 before and the rest after."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.cin, self.cout, self.stride = cin, cout, stride

    def forward(self, x):
        if self.stride > 1:
            x = x[:, :, :: self.stride, :: self.stride]
        extra = self.cout - self.cin
        if extra:
            x = F.pad(x, (0, 0, 0, 0, extra // 2, extra - extra // 2))
        return x

    def extra_repr(self):
        return "{} -> {}, stride={}".format(self.cin, self.cout, self.stride)


class ResNetBlock(nn.Module):
    """CIFAR ResNet basic block, post-activation: relu(bn2(conv2(relu(bn1(conv1 x)))) + shortcut x)."""

    def __init__(self, spec):
        super().__init__()
        k1, k2 = spec["kernels"]
        self.conv1 = SameConv2d(spec["in"], spec["out"], k1, spec["stride"])
        self.bn1 = nn.BatchNorm2d(spec["out"], eps=BN_EPS, momentum=BN_MOMENTUM)
        self.conv2 = SameConv2d(spec["out"], spec["out"], k2, 1)
        self.bn2 = nn.BatchNorm2d(spec["out"], eps=BN_EPS, momentum=BN_MOMENTUM)
        if spec["shortcut"] == "optionA":
            self.shortcut = OptionAShortcut(spec["in"], spec["out"], spec["stride"])
        else:
            self.shortcut = nn.Identity()

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class WideBlock(nn.Module):
    """Wide-ResNet block, pre-activation: a = relu(bn1 x); conv2(relu(bn2(conv1 a))) + (x or proj a)."""

    def __init__(self, spec):
        super().__init__()
        k1, k2 = spec["kernels"]
        self.bn1 = nn.BatchNorm2d(spec["in"], eps=BN_EPS, momentum=BN_MOMENTUM)
        self.conv1 = SameConv2d(spec["in"], spec["out"], k1, spec["stride"])
        self.bn2 = nn.BatchNorm2d(spec["out"], eps=BN_EPS, momentum=BN_MOMENTUM)
        self.conv2 = SameConv2d(spec["out"], spec["out"], k2, 1)
        self.projection = spec["shortcut"] == "projection"
        if self.projection:
            self.shortcut = nn.Conv2d(spec["in"], spec["out"], 1, stride=spec["stride"], bias=False)

    def forward(self, x):
        a = F.relu(self.bn1(x))
        shortcut = self.shortcut(a) if self.projection else x
        out = self.conv1(a)
        out = self.conv2(F.relu(self.bn2(out)))
        return out + shortcut


class Stem(nn.Module):
    def __init__(self, cin, cout, with_bn):
        super().__init__()
        self.conv = SameConv2d(cin, cout, 3, 1)
        self.with_bn = with_bn
        if with_bn:
            self.bn = nn.BatchNorm2d(cout, eps=BN_EPS, momentum=BN_MOMENTUM)

    def forward(self, x):
        x = self.conv(x)
        return F.relu(self.bn(x)) if self.with_bn else x


class Final(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)

    def forward(self, x):
        return F.relu(self.bn(x))


class EffConvNet(nn.Module):
    """The learned CNN. Input: float32 [N, C, H, W], normalised as preprocess() does.
    Output: logits [N, classes] (softmax(1) gives class probabilities)."""

    def __init__(self, arch=None):
        super().__init__()
        arch = arch or ARCHITECTURE
        resnet = arch["backbone"]["family"] == "resnet"
        self.stem = Stem(arch["input"]["channels"], arch["stem"], resnet)
        block = ResNetBlock if resnet else WideBlock
        for stage in (1, 2, 3):
            blocks = [b for b in arch["blocks"] if b["name"].startswith("stage{}.".format(stage))]
            layers = OrderedDict((b["name"].split(".")[1], block(b)) for b in blocks)
            setattr(self, "stage{}".format(stage), nn.Sequential(layers))
        width = arch["blocks"][-1]["out"]
        if not resnet:
            self.final = Final(width)
        self.fc = nn.Linear(width, arch["classes"])

    def forward(self, x):
        x = self.stem(x)
        x = self.stage3(self.stage2(self.stage1(x)))
        if hasattr(self, "final"):
            x = self.final(x)
        return self.fc(x.mean(dim=(2, 3)))


def read_safetensors(path):
    """A short safetensors reader (F32 and I64, little-endian), used when the safetensors
    package is not installed."""
    dtypes = {"F32": (torch.float32, 4), "I64": (torch.int64, 8)}
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype, size = dtypes[info["dtype"]]
        start, end = info["data_offsets"]
        count = (end - start) // size
        if count == 0:
            t = torch.empty(0, dtype=dtype)
        else:
            t = torch.frombuffer(bytearray(data[base + start : base + end]), dtype=dtype)
        tensors[name] = t.reshape(info["shape"])
    return tensors


def load_weights(model, path=None, use_package=None):
    """Load model.safetensors (beside this file by default) into model, strictly.
    use_package: None = the safetensors package if installed, else the reader above;
    True/False force one or the other."""
    path = path or os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.safetensors")
    load_file = None
    if use_package is not False:
        try:
            from safetensors.torch import load_file
        except ImportError:
            if use_package:
                raise
    state = load_file(path) if load_file else read_safetensors(path)
    model.load_state_dict(state, strict=True)
    return model


def load_model(path=None, use_package=None):
    """The network with its weights, in eval mode."""
    return load_weights(EffConvNet(), path, use_package).eval()


def preprocess(images):
    """uint8 images [N, H, W, C] (numpy or torch) -> the normalised float32 [N, C, H, W] input."""
    x = torch.as_tensor(images).float().div(255.0)
    if x.dim() == 3:
        x = x.unsqueeze(-1)
    mean = torch.tensor(MEAN).view(1, 1, 1, -1)
    std = torch.tensor(STD).view(1, 1, 1, -1)
    return ((x - mean) / std).permute(0, 3, 1, 2).contiguous()


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


if __name__ == "__main__":
    net = load_model()
    n = count_parameters(net)
    print(net)
    print("parameters: {:,} (config params.total {:,}){}".format(n, PARAMS_TOTAL, "" if n == PARAMS_TOTAL else "  MISMATCH"))
    print("weights:", WEIGHTS_NOTE)
    shape = (1, ARCHITECTURE["input"]["channels"], ARCHITECTURE["input"]["height"], ARCHITECTURE["input"]["width"])
    with torch.no_grad():
        print("output shape for input", list(shape), "->", list(net(torch.zeros(shape)).shape))
    sys.exit(0 if n == PARAMS_TOTAL else 1)
`;

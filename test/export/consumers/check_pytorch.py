"""Load an exported model.py + model.safetensors with Debian's torch, as a user would, and
report what the test compares: parameter count, state_dict names and eval-mode softmax.

usage: check_pytorch.py EXPORT_DIR INPUTS.f32 N C H W  (inputs: float32 NCHW, little-endian)
"""
import importlib.util
import json
import sys

import torch

export_dir, inputs, n, c, h, w = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:7])
spec = importlib.util.spec_from_file_location("exported_model", export_dir + "/model.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)

try:
    import safetensors  # noqa: F401
    have_package = True
except ImportError:
    have_package = False

x = torch.frombuffer(bytearray(open(inputs, "rb").read()), dtype=torch.float32).reshape(n, c, h, w)
results = {}
for mode in ([False, True] if have_package else [False]):
    net = module.load_model(use_package=mode)
    with torch.no_grad():
        probs = net(x).softmax(1)
    results["package" if mode else "own_reader"] = probs.flatten().tolist()

net = module.EffConvNet()
print(json.dumps({
    "params": sum(p.numel() for p in net.parameters()),
    "state_dict": list(net.state_dict().keys()),
    "num_batches_tracked": int(module.load_model().stage1.block1.bn1.num_batches_tracked),
    "trained": module.TRAINED,
    "safetensors_package": have_package,
    "probs": results,
}))

"""Check an exported model.onnx with Debian's onnx: the full checker (with shape inference),
the opset, and the declared inputs and outputs.

usage: check_onnx.py MODEL.onnx
"""
import json
import sys

import onnx

model = onnx.load(sys.argv[1])
onnx.checker.check_model(model, full_check=True)
inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)


def dims(v):
    return [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]


print(json.dumps({
    "ir_version": model.ir_version,
    "opset": [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")],
    "inputs": {v.name: dims(v) for v in model.graph.input},
    "outputs": {v.name: dims(v) for v in model.graph.output},
    "inferred_outputs": {v.name: dims(v) for v in inferred.graph.output},
    "initializers": [t.name for t in model.graph.initializer],
    "ops": sorted({node.op_type for node in model.graph.node}),
    "metadata": {p.key: p.value for p in model.metadata_props},
}))

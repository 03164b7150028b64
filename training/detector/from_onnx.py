"""Recover a trainable detector from the shipped ONNX file, so a later run can fine-tune the shipped weights when
the torch checkpoint is gone (each session starts on a new machine).

The export folded every BatchNorm into its convolution. We put the folded weights back into the convolutions and
make each BatchNorm an identity plus the folded bias (mean 0, variance 1 - eps, scale 1); fine-tuning then keeps
the BatchNorm layers in eval mode (``freeze_batchnorm``), so the network starts exactly where the shipped one is.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

from training.detector.model import PlateDetector


def conv_order(model: nn.Module) -> list[tuple[nn.Conv2d, nn.BatchNorm2d | None]]:
    """Convolutions in execution order, each with the BatchNorm that follows it (if any)."""
    bn_after: dict[int, nn.BatchNorm2d] = {}
    for module in model.modules():
        if isinstance(module, nn.Sequential):
            kids = list(module)
            for a, b in itertools.pairwise(kids):
                if isinstance(a, nn.Conv2d) and isinstance(b, nn.BatchNorm2d):
                    bn_after[id(a)] = b
    order: list[nn.Conv2d] = []
    hooks = [m.register_forward_hook(lambda mod, _i, _o: order.append(mod))  # type: ignore[arg-type]
             for m in model.modules() if isinstance(m, nn.Conv2d)]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, 64, 64))
    for h in hooks:
        h.remove()
    return [(c, bn_after.get(id(c))) for c in order]


def load_from_onnx(path: Path) -> PlateDetector:
    graph = onnx.load(str(path)).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    onnx_convs = [n for n in graph.node if n.op_type == "Conv"]
    model = PlateDetector()
    convs = conv_order(model)
    if len(convs) != len(onnx_convs):
        raise ValueError(f"{len(onnx_convs)} convolutions in the ONNX graph, {len(convs)} in the model")
    with torch.no_grad():
        for (conv, bn), node in zip(convs, onnx_convs, strict=True):
            w = inits[node.input[1]]
            b = inits[node.input[2]] if len(node.input) > 2 else np.zeros(w.shape[0], np.float32)
            if tuple(w.shape) != tuple(conv.weight.shape):
                raise ValueError(f"shape mismatch {w.shape} vs {tuple(conv.weight.shape)}")
            conv.weight.copy_(torch.from_numpy(w))
            if bn is None:
                if conv.bias is None:
                    raise ValueError("a folded bias with nowhere to go")
                conv.bias.copy_(torch.from_numpy(b))
            else:
                bn.weight.fill_(1.0)
                bn.bias.copy_(torch.from_numpy(b))
                bn.running_mean.zero_()
                bn.running_var.fill_(1.0 - bn.eps)
    return model


def freeze_batchnorm(model: nn.Module) -> None:
    """Keep BatchNorm statistics fixed (call after every ``model.train()``)."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()

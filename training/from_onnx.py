"""Recover trainable networks from the shipped ONNX files, so a later run can fine-tune the shipped weights when the
torch checkpoints are gone (each session starts on a new machine).

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
from training.ocr.model import PlateCRNN


def conv_order(model: nn.Module, example: torch.Tensor | None = None
               ) -> list[tuple[nn.Conv2d, nn.BatchNorm2d | None]]:
    """Convolutions in execution order (found by running ``example`` through the model), each with the BatchNorm
    that follows it (if any)."""
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
        model(torch.zeros(1, 3, 64, 64) if example is None else example)
    for h in hooks:
        h.remove()
    return [(c, bn_after.get(id(c))) for c in order]


def detector_from_onnx(path: Path) -> PlateDetector:
    """The shipped detector (width 1) as a trainable network."""
    graph = onnx.load(str(path)).graph
    model = PlateDetector()
    load_folded_convs(graph, conv_order(model))
    return model


def ocr_from_onnx(path: Path, width: float) -> PlateCRNN:
    """The shipped OCR network of ``width`` as a trainable network: convolutions as above, then the GRU (ONNX keeps
    its gates in the order z, r, h; torch in r, z, n) and the linear head (ONNX stores it transposed)."""
    graph = onnx.load(str(path)).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    model = PlateCRNN(width=width)
    load_folded_convs(graph, conv_order(model, torch.zeros(1, 1, 48, 160)))
    (gru,) = [n for n in graph.node if n.op_type == "GRU"]
    w, r, b = (inits[name] for name in gru.input[1:4])
    hidden = r.shape[-1]
    if tuple(w.shape[1:]) != tuple(model.rnn.weight_ih_l0.shape):
        raise ValueError(f"GRU shape mismatch {w.shape} vs {tuple(model.rnn.weight_ih_l0.shape)}")

    def torch_order(m: np.ndarray) -> torch.Tensor:
        z, rr, h = m[:hidden], m[hidden:2 * hidden], m[2 * hidden:]
        return torch.from_numpy(np.concatenate([rr, z, h]))

    (matmul,) = [n for n in graph.node if n.op_type == "MatMul"]
    with torch.no_grad():
        for d, suffix in enumerate(("", "_reverse")):
            getattr(model.rnn, f"weight_ih_l0{suffix}").copy_(torch_order(w[d]))
            getattr(model.rnn, f"weight_hh_l0{suffix}").copy_(torch_order(r[d]))
            getattr(model.rnn, f"bias_ih_l0{suffix}").copy_(torch_order(b[d][:3 * hidden]))
            getattr(model.rnn, f"bias_hh_l0{suffix}").copy_(torch_order(b[d][3 * hidden:]))
        model.head.weight.copy_(torch.from_numpy(inits[matmul.input[1]].T.copy()))
        model.head.bias.copy_(torch.from_numpy(inits["head.bias"]))
    return model


def load_folded_convs(graph: onnx.GraphProto, convs: list[tuple[nn.Conv2d, nn.BatchNorm2d | None]]) -> None:
    """Copy the graph's convolutions (BatchNorm folded in) into ``convs``, un-folding as the module doc says."""
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    onnx_convs = [n for n in graph.node if n.op_type == "Conv"]
    if len(convs) != len(onnx_convs):
        raise ValueError(f"{len(onnx_convs)} convolutions in the ONNX graph, {len(convs)} in the model")
    with torch.no_grad():
        for (conv, bn), node in zip(convs, onnx_convs, strict=True):
            w = inits[node.input[1]].copy()
            b = inits[node.input[2]].copy() if len(node.input) > 2 else np.zeros(w.shape[0], np.float32)
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


def freeze_batchnorm(model: nn.Module) -> None:
    """Keep BatchNorm statistics fixed (call after every ``model.train()``)."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()

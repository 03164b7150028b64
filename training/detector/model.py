"""The plate detector: a small fully convolutional network in the CenterNet manner.

At stride 4 it predicts a plate-centre heat map, the plate's size, a sub-cell offset and the offsets of the plate's
four corners from its centre (used to rectify the plate before OCR). Depthwise-separable blocks and a feature
pyramid keep it to a few hundred thousand parameters, so a 1080p photo (resized to 640 wide) runs in tens of
milliseconds on a CPU core.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

HEAD_CHANNELS = 1 + 2 + 2 + 8  # heat, size (log w, log h), offset, corners (4 x dx, dy)
STRIDE = 4


def conv_bn(cin: int, cout: int, k: int = 3, s: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class DWBlock(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.dw = nn.Sequential(nn.Conv2d(c, c, 3, 1, 1, groups=c, bias=False), nn.BatchNorm2d(c))
        self.pw = nn.Sequential(nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(x + self.pw(F.relu(self.dw(x))))


class PlateDetector(nn.Module):
    """``width`` scales the channels (1.0 is the first shipped model; inputs and outputs never change)."""

    def __init__(self, width: float = 1.0) -> None:
        super().__init__()
        c2, c4, c8, c16, c32, p = (round(c * width) for c in (16, 32, 64, 96, 128, 32))
        self.width = width
        self.s2 = conv_bn(3, c2, 3, 2)
        self.s4 = nn.Sequential(conv_bn(c2, c4, 3, 2), DWBlock(c4))
        self.s8 = nn.Sequential(conv_bn(c4, c8, 3, 2), DWBlock(c8), DWBlock(c8))
        self.s16 = nn.Sequential(conv_bn(c8, c16, 3, 2), DWBlock(c16), DWBlock(c16))
        self.s32 = nn.Sequential(conv_bn(c16, c32, 3, 2), DWBlock(c32), DWBlock(c32))
        self.l32, self.l16, self.l8, self.l4 = (nn.Conv2d(c, p, 1) for c in (c32, c16, c8, c4))
        self.smooth = nn.Sequential(DWBlock(p), DWBlock(p))
        self.head = nn.Sequential(nn.Conv2d(p, p, 3, 1, 1, groups=p, bias=False), nn.BatchNorm2d(p),
                                  nn.ReLU(inplace=True), nn.Conv2d(p, HEAD_CHANNELS, 1))
        nn.init.constant_(self.head[-1].bias[:1], -4.0)  # type: ignore[index]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) RGB in [0, 1], H and W multiples of 32 → (N, 13, H/4, W/4); channel 0 is a logit."""
        c4 = self.s4(self.s2(x - 0.5))
        c8 = self.s8(c4)
        c16 = self.s16(c8)
        c32 = self.s32(c16)
        p = self.l32(c32)
        p = F.interpolate(p, scale_factor=2.0, mode="nearest") + self.l16(c16)
        p = F.interpolate(p, scale_factor=2.0, mode="nearest") + self.l8(c8)
        p = F.interpolate(p, scale_factor=2.0, mode="nearest") + self.l4(c4)
        return self.head(self.smooth(p))

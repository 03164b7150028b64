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
    def __init__(self) -> None:
        super().__init__()
        self.s2 = conv_bn(3, 16, 3, 2)
        self.s4 = nn.Sequential(conv_bn(16, 32, 3, 2), DWBlock(32))
        self.s8 = nn.Sequential(conv_bn(32, 64, 3, 2), DWBlock(64), DWBlock(64))
        self.s16 = nn.Sequential(conv_bn(64, 96, 3, 2), DWBlock(96), DWBlock(96))
        self.s32 = nn.Sequential(conv_bn(96, 128, 3, 2), DWBlock(128), DWBlock(128))
        self.l32, self.l16, self.l8, self.l4 = (nn.Conv2d(c, 32, 1) for c in (128, 96, 64, 32))
        self.smooth = nn.Sequential(DWBlock(32), DWBlock(32))
        self.head = nn.Sequential(nn.Conv2d(32, 32, 3, 1, 1, groups=32, bias=False), nn.BatchNorm2d(32),
                                  nn.ReLU(inplace=True), nn.Conv2d(32, HEAD_CHANNELS, 1))
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

"""The OCR network: a small CRNN (convolutions, a bidirectional GRU, CTC) over a 48 x 160 grayscale plate.

About 0.4 M parameters: small enough for a few milliseconds per plate on one CPU core, large enough to read
plates (see ../shared/RESEARCH.md, "How strong small OCR models get their accuracy").
"""
from __future__ import annotations

import torch
from torch import nn

from platewarden.recognition.alphabet import ALPHABET


def _block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class PlateCRNN(nn.Module):
    def __init__(self, num_classes: int = len(ALPHABET) + 1) -> None:
        super().__init__()
        self.features = nn.Sequential(
            _block(1, 16), nn.MaxPool2d(2),              # 24 x 80
            _block(16, 32), nn.MaxPool2d(2),             # 12 x 40
            _block(32, 64), _block(64, 64), nn.MaxPool2d((2, 1)),    # 6 x 40
            _block(64, 96), _block(96, 96), nn.MaxPool2d((2, 1)),    # 3 x 40
            nn.Conv2d(96, 160, (3, 1), bias=False), nn.BatchNorm2d(160), nn.ReLU(inplace=True),  # 1 x 40
            nn.Dropout(0.1),
        )
        self.rnn = nn.GRU(160, 96, bidirectional=True, batch_first=True)
        self.head = nn.Linear(192, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, 48, 160) in [0, 1] → log-probabilities (N, T=40, classes)."""
        f = self.features(x - 0.5).squeeze(2).permute(0, 2, 1)
        y, _ = self.rnn(f)
        return self.head(y).log_softmax(-1)

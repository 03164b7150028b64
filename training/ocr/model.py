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
    """``width`` scales every layer's channels (1.0 is the first shipped model; the input and output never change,
    so the run-time code reads any width)."""

    def __init__(self, num_classes: int = len(ALPHABET) + 1, width: float = 1.0) -> None:
        super().__init__()
        c1, c2, c3, c4, c5, rnn = (round(c * width) for c in (16, 32, 64, 96, 160, 96))
        self.width = width
        self.features = nn.Sequential(
            _block(1, c1), nn.MaxPool2d(2),              # 24 x 80
            _block(c1, c2), nn.MaxPool2d(2),             # 12 x 40
            _block(c2, c3), _block(c3, c3), nn.MaxPool2d((2, 1)),    # 6 x 40
            _block(c3, c4), _block(c4, c4), nn.MaxPool2d((2, 1)),    # 3 x 40
            nn.Conv2d(c4, c5, (3, 1), bias=False), nn.BatchNorm2d(c5), nn.ReLU(inplace=True),  # 1 x 40
            nn.Dropout(0.1),
        )
        self.rnn = nn.GRU(c5, rnn, bidirectional=True, batch_first=True)
        self.head = nn.Linear(2 * rnn, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, 48, 160) in [0, 1] → log-probabilities (N, T=40, classes)."""
        f = self.features(x - 0.5).squeeze(2).permute(0, 2, 1)
        y, _ = self.rnn(f)
        return self.head(y).log_softmax(-1)

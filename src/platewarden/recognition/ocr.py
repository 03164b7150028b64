"""Reading a plate image with the shipped CRNN (CTC) network, keeping per-character confidences and alternatives.

Decoding is best-path CTC: each emitted character's confidence is its highest probability over the frames that
emitted it. Alternatives swap characters for their runner-up at the same frame (one or two swaps), scored by the
product of the chosen probabilities: the OCR's own second opinions, never characters a grammar made up. Each
character also keeps the frame where it peaked, so that ranking can see where on the plate it sits. (Dropping a
province character read on a plate that is not Chinese is decided in ``ranking``, which sees the plate's colours.)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from platewarden.recognition.alphabet import ALPHABET
from platewarden.recognition.layout import to_ocr_input
from platewarden.recognition.models import session


@dataclass(frozen=True)
class OcrResult:
    text: str
    char_confidences: tuple[float, ...]
    alternatives: tuple[tuple[str, float], ...]  # best first, excluding ``text``
    # per character, the runner-up at the frame that emitted it and its probability ("" where the runner-up is blank)
    runners: tuple[tuple[str, float], ...] = ()
    # per character, the frame (column of the network's output, left to right) where it peaked: where it sits
    frames: tuple[int, ...] = ()

    @property
    def confidence(self) -> float:
        return float(np.prod(self.char_confidences)) if self.char_confidences else 0.0


def decode(logprobs: np.ndarray, max_alternatives: int = 5) -> OcrResult:
    """One sample's (T, classes) log-probabilities → text, confidences and alternatives."""
    probs = np.exp(logprobs)
    best = probs.argmax(axis=1)
    chars: list[str] = []
    confs: list[float] = []
    runner: list[tuple[str, float]] = []
    frames: list[int] = []
    t = 0
    T = len(best)
    while t < T:
        k = int(best[t])
        if k == 0:
            t += 1
            continue
        start = t
        while t < T and best[t] == k:
            t += 1
        seg = probs[start:t, k]
        peak = start + int(seg.argmax())
        chars.append(ALPHABET[k - 1])
        confs.append(float(seg.max()))
        frames.append(peak)
        row = probs[peak].copy()
        row[0] = 0
        row[k] = 0
        r = int(row.argmax())
        runner.append((ALPHABET[r - 1] if r > 0 else "", float(row[r])))
    text = "".join(chars)
    base = float(np.prod(confs)) if confs else 0.0
    cands: dict[str, float] = {}
    positions = sorted(range(len(chars)), key=lambda i: -runner[i][1] / max(confs[i], 1e-6))[:6]
    for n_swaps in (1, 2):
        for combo in itertools.combinations(positions, n_swaps):
            alt = list(chars)
            score = base
            for i in combo:
                if not runner[i][0]:
                    break
                alt[i] = runner[i][0]
                score = score / max(confs[i], 1e-6) * runner[i][1]
            else:
                s = "".join(alt)
                if s != text:
                    cands[s] = max(cands.get(s, 0.0), score)
    alts = tuple(sorted(((t, c) for t, c in cands.items() if t != text), key=lambda kv: -kv[1])[:max_alternatives])
    return OcrResult(text, tuple(confs), alts, tuple(runner), tuple(frames))


class PlateReader:
    def __init__(self, threads: int = 1) -> None:
        self._sess = session("ocr.onnx", threads)

    def logprobs(self, plates: list[np.ndarray]) -> list[np.ndarray]:
        """The network's (T, classes) log-probabilities for each plate image, in one batch."""
        if not plates:
            return []
        x = np.stack([to_ocr_input(p) for p in plates]).astype(np.float32)
        return list(self._sess.run(None, {"image": x})[0])

    def read(self, plates: list[np.ndarray]) -> list[OcrResult]:
        """Best-path readings, no formats: what the network alone says (training checks use it)."""
        return [decode(o) for o in self.logprobs(plates)]

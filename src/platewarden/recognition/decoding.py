"""CTC decoding under plate formats: the best reading each template allows, and the exact chance of a reading.

Two primitives over one plate's (T, classes) log-probabilities from the OCR network:

- ``best_per_template``: for each fixed-length template (a set of allowed characters per position), the best path
  (Viterbi over the CTC lattice) that emits exactly one allowed character per position, blanks between. A template
  only *restricts* which of the network's classes may be emitted at a position, and a character may be emitted at a
  frame only where the network gives it at least ``MIN_CHAR_PROB``: no character is ever invented.
- ``log_likelihoods``: the exact CTC probability of a text, summed over every alignment (the forward algorithm),
  which is what the posterior in ``recognition.reading`` weighs.

Both run vectorised over templates or texts (one loop over the network's 40 frames), so that ~150 templates cost
about a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from platewarden.recognition.alphabet import ALPHABET

# A character may be emitted only at a frame where the network gives it at least this probability: a template
# chooses among the network's own candidates, it never writes in a character the network did not see.
MIN_CHAR_PROB = 1e-3
NEG = -1e30
_INDEX = {ch: i + 1 for i, ch in enumerate(ALPHABET)}


def class_mask(chars: str) -> np.ndarray:
    """A (classes,) boolean mask of the network's output classes that are these characters."""
    mask = np.zeros(len(ALPHABET) + 1, dtype=bool)
    mask[[_INDEX[c] for c in chars]] = True
    return mask


@dataclass(frozen=True)
class TemplatePath:
    """The best path a template allows: its text, each character's frame and probability where it peaks, and the
    path's score (a bound, not a probability: a position's frames may each take the best character of its class;
    ``log_likelihoods`` gives the text's exact probability)."""

    text: str
    frames: tuple[int, ...]
    char_probs: tuple[float, ...]
    log_prob: float


def best_per_template(logprobs: np.ndarray, templates: list[tuple[str, ...]]) -> list[TemplatePath | None]:
    """For each template (a class string per position), the best CTC path that fits it; None where none does."""
    if not templates:
        return []
    T = logprobs.shape[0]
    lp = np.maximum(logprobs.astype(np.float64), NEG)
    allowed = lp >= np.log(MIN_CHAR_PROB)
    # the best allowed character of each distinct class at each frame, and its log-probability
    class_ids: dict[str, int] = {}
    for tpl in templates:
        for cls in tpl:
            class_ids.setdefault(cls, len(class_ids))
    masks = np.stack([class_mask(c) for c in class_ids])  # (C, K)
    scores = np.where(masks[:, None, :] & allowed[None], lp[None], NEG)  # (C, T, K)
    best_char = scores.argmax(axis=2)  # (C, T)
    best_lp = np.take_along_axis(scores, best_char[..., None], axis=2)[..., 0]  # (C, T)
    M, n_max = len(templates), max(len(t) for t in templates)
    lengths = np.array([len(t) for t in templates])
    cls_of = np.zeros((M, n_max), dtype=np.int64)
    valid = np.zeros((M, n_max), dtype=bool)
    for m, tpl in enumerate(templates):
        cls_of[m, : len(tpl)] = [class_ids[c] for c in tpl]
        valid[m, : len(tpl)] = True
    emit_char = np.where(valid[..., None], best_lp[cls_of], NEG)  # (M, n, T)
    S = 2 * n_max + 1
    blank = lp[:, 0]
    alpha = np.full((M, S), NEG)
    alpha[:, 0] = blank[0]
    alpha[:, 1] = emit_char[:, 0, 0]
    back = np.zeros((T, M, S), dtype=np.int8)
    odd = np.arange(S) % 2 == 1
    no_skip = ~(odd & (np.arange(S) >= 3))  # a skip over a blank lands only on a character state
    step1 = np.full((M, S), NEG)
    step2 = np.full((M, S), NEG)
    emit = np.empty((M, S))
    for t in range(1, T):
        step1[:, 1:] = alpha[:, :-1]
        step2[:, 2:] = alpha[:, :-2]
        step2[:, no_skip] = NEG
        take1 = step1 > alpha
        best = np.where(take1, step1, alpha)
        take2 = step2 > best
        best = np.where(take2, step2, best)
        back[t] = np.where(take2, 2, take1.astype(np.int8))
        emit[:, 0::2] = blank[t]
        emit[:, 1::2] = emit_char[:, :, t]
        alpha = np.maximum(best + emit, NEG)
    rows = np.arange(M)
    end_blank, end_char = alpha[rows, 2 * lengths], alpha[rows, 2 * lengths - 1]
    state = np.where(end_blank >= end_char, 2 * lengths, 2 * lengths - 1)
    final = np.maximum(end_blank, end_char)
    path = np.empty((T, M), dtype=np.int64)
    path[T - 1] = state
    for t in range(T - 1, 0, -1):
        state = state - back[t, rows, state]
        path[t - 1] = state
    # each position's frames on the path; its character is taken where it peaks
    on_pos = path.T[:, None, :] == (2 * np.arange(n_max) + 1)[None, :, None]  # (M, n, T)
    peak_val = np.where(on_pos, best_lp[cls_of], NEG)
    peak_t = peak_val.argmax(axis=2)  # (M, n)
    peak_char = best_char[cls_of, peak_t]
    peak_lp = np.take_along_axis(peak_val, peak_t[..., None], axis=2)[..., 0]
    out: list[TemplatePath | None] = []
    for m in range(M):
        n = int(lengths[m])
        if final[m] <= NEG / 2:
            out.append(None)
            continue
        text = "".join(ALPHABET[int(k) - 1] for k in peak_char[m, :n])
        out.append(TemplatePath(text, tuple(int(t) for t in peak_t[m, :n]),
                                tuple(float(p) for p in np.exp(peak_lp[m, :n])), float(final[m])))
    return out


def log_likelihoods(logprobs: np.ndarray, texts: list[str]) -> np.ndarray:
    """log P(text | image) under CTC for each text, summed over all alignments; -inf for a text that cannot be
    aligned in the network's frames or holds a character outside its alphabet."""
    if not texts:
        return np.zeros(0)
    T = logprobs.shape[0]
    lp = logprobs.astype(np.float64)
    C = len(texts)
    L = max(1, max(len(s) for s in texts))
    S = 2 * L + 1
    labels = np.zeros((C, S), dtype=np.int64)  # blanks at even states
    ok = np.ones(C, dtype=bool)
    for c, s in enumerate(texts):
        try:
            labels[c, 1 : 2 * len(s) : 2] = [_INDEX[ch] for ch in s]
        except KeyError:
            ok[c] = False
    prev2 = np.concatenate([np.zeros((C, 2), dtype=np.int64), labels[:, :-2]], axis=1)
    can_skip = (labels != 0) & (labels != prev2) & (np.arange(S) >= 2)
    emit = lp[:, labels]  # (T, C, S)
    alpha = np.full((C, S), -np.inf)
    alpha[:, 0] = emit[0, :, 0]
    alpha[:, 1] = emit[0, :, 1]
    with np.errstate(divide="ignore"):
        for t in range(1, T):
            a1 = np.concatenate([np.full((C, 1), -np.inf), alpha[:, :-1]], axis=1)
            a2 = np.concatenate([np.full((C, 2), -np.inf), alpha[:, :-2]], axis=1)
            a2 = np.where(can_skip, a2, -np.inf)
            alpha = np.logaddexp(np.logaddexp(alpha, a1), a2) + emit[t]
    n = np.array([len(s) for s in texts])
    rows = np.arange(C)
    out = np.logaddexp(alpha[rows, 2 * n], np.where(n > 0, alpha[rows, np.maximum(2 * n - 1, 0)], -np.inf))
    return np.where(ok, out, -np.inf)

"""Format-constrained CTC decoding and exact CTC likelihoods, on hand-made probability matrices (no model)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from platewarden.recognition.alphabet import ALPHABET
from platewarden.recognition.decoding import MIN_CHAR_PROB, best_per_template, log_likelihoods
from platewarden.recognition.ocr import decode
from tests.recognition.lattice import lattice, spelled

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"


def test_the_template_takes_the_networks_runner_up_where_the_best_path_breaks_it() -> None:
    """JSK54I9 against JSK5419: the unconstrained best path reads I (0.6) where Brazil's grey format allows only a
    digit; the constrained path takes the network's own 1 (0.4) there."""
    lp = spelled("J", "S", "K", "5", "4", {"I": 0.6, "1": 0.39}, "9")
    assert decode(lp).text == "JSK54I9"
    (path,) = best_per_template(lp, [(LETTERS,) * 3 + (DIGITS,) * 4])
    assert path is not None and path.text == "JSK5419"
    assert path.char_probs[5] == pytest.approx(0.39, abs=1e-6)


def test_no_character_is_invented() -> None:
    """Where the network gives an allowed character less than MIN_CHAR_PROB, the template cannot emit it there: a
    template that needs a digit where only letters were seen finds no path at all."""
    lp = spelled("A", "B", "C")
    assert best_per_template(lp, [(DIGITS, LETTERS, LETTERS)]) == [None]
    assert best_per_template(lp, [(LETTERS,) * 4]) == [None]  # nor a fourth character out of blanks


def test_a_shorter_template_skips_a_doubtful_symbol_as_blank() -> None:
    """A state emblem read as a leading 1 (0.5, blank 0.5 there): the seven-character template reads past it."""
    lp = spelled({"1": 0.5}, "7", "A", "B", "C", "1", "2", "3")
    (path,) = best_per_template(lp, [(DIGITS, LETTERS, LETTERS, LETTERS, DIGITS, DIGITS, DIGITS)])
    assert path is not None and path.text == "7ABC123"


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(8, 30))
def test_every_decoded_character_had_non_trivial_probability_at_its_frame(seed: int, frames: int) -> None:
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.full(len(ALPHABET) + 1, 0.05), size=frames)
    lp = np.log(np.maximum(probs, 1e-12))
    templates = [(LETTERS,) * 3 + (DIGITS,) * 4, (DIGITS,) * 5, (LETTERS + DIGITS,) * 6, (LETTERS, DIGITS)]
    for path in best_per_template(lp, templates):
        if path is None:
            continue
        for ch, t, p in zip(path.text, path.frames, path.char_probs, strict=True):
            assert p >= MIN_CHAR_PROB
            assert np.exp(lp[t, ALPHABET.index(ch) + 1]) == pytest.approx(p)


def _collapse(path: tuple[int, ...]) -> str:
    out, prev = [], -1
    for k in path:
        if k != prev and k != 0:
            out.append(ALPHABET[k - 1])
        prev = k
    return "".join(out)


def test_likelihood_is_the_sum_over_every_alignment() -> None:
    """Brute force over every path of a 3-class network (blank, 0, 1) for 5 frames."""
    rng = np.random.default_rng(3)
    p = np.full((5, len(ALPHABET) + 1), 0.0)
    p[:, :3] = rng.dirichlet(np.ones(3), size=5)
    lp = np.log(np.maximum(p, 1e-300))
    totals: dict[str, float] = {}
    for path in itertools.product(range(3), repeat=5):
        s = _collapse(path)
        totals[s] = totals.get(s, 0.0) + float(np.prod([p[t, k] for t, k in enumerate(path)]))
    texts = sorted(totals)
    assert np.exp(log_likelihoods(lp, texts)) == pytest.approx([totals[s] for s in texts], rel=1e-9)
    assert sum(totals.values()) == pytest.approx(1.0)


def test_likelihood_of_impossible_texts() -> None:
    lp = spelled("A", "B")
    ll = log_likelihoods(lp, ["AB", "ABCDEFGHIJ", "A€"])
    assert np.exp(ll[0]) > 0.9
    assert ll[1] < -30  # more characters than the frames can hold with blanks between repeats: nearly impossible
    assert ll[2] == -np.inf  # outside the alphabet


def test_repeated_characters_need_a_blank_between_them() -> None:
    lp = lattice([{"A": 0.99}, {"A": 0.99}])  # one A over two frames, no blank between
    ll = log_likelihoods(lp, ["A", "AA"])
    assert np.exp(ll[0]) > 0.9 and ll[1] < -20

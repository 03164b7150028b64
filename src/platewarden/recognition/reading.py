"""A plate's reading as a posterior over texts: the network's evidence times what we know about plate formats.

For one plate the recogniser hands over one or more *cuts* (the rectified crop; a two-row plate's rows laid side
by side), each as the OCR network's per-frame log-probabilities. Candidates are the best reading each template of
the jurisdictions in play allows (``decoding.best_per_template``), the network's own unconstrained best path and its
runner-up swaps. Each candidate ``s`` is scored

    P(s | image) x prior(s) ** FORMAT_WEIGHT,

    prior(s) = sum over jurisdictions j of P(j | hint, look) x sum over the templates t that s fits of P(t | j),
               plus the off-format weight

so a text that fits no template keeps the off-format weight and stays possible (a plate of a country the table
lacks, a show plate). ``FORMAT_WEIGHT`` tempers the prior as the language-model weight does in speech recognition
(the network has learnt much of the same prior from its training plates); it and the off-format weight are chosen
on our own validation crops (``training/ocr/tune_decoder.py``), never on an evaluation set.

with ``P(s | image)`` the exact CTC probability (``decoding.log_likelihoods``), averaged over the cuts (Bayesian
model averaging, equal prior per cut: a cut whose image explains no plate contributes little). Normalising over the
candidates and the mass the network gives to every other text yields the posterior; the best text is the reading,
the next ones its alternatives, and the posterior split over regions says where the plate comes from. Nothing here
changes a character: templates only choose among readings the network supports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np

from platewarden.domain.plates import Region
from platewarden.recognition.appearance import PlateLook
from platewarden.recognition.decoding import best_per_template, log_likelihoods
from platewarden.recognition.formats import FormatTable, plate_formats
from platewarden.recognition.jurisdictions import JurisdictionHint, jurisdiction_prior, look_kind
from platewarden.recognition.ocr import decode

# A plate's region is stated only where this share of the reading's posterior comes from one region; below it the
# region is UNKNOWN and a hotlist match is shown as "region not verified".
REGION_SURE = 0.8
MAX_ALTERNATIVES = 5
# How strongly the format prior counts against the network's own probabilities (see the module docstring).
FORMAT_WEIGHT = 1.0



@dataclass(frozen=True)
class TemplateMass:
    """One distinct class sequence with its prior mass under a hint and look, and who contributes it."""

    classes: tuple[str, ...]
    pattern: re.Pattern[str]
    mass: float  # sum over jurisdictions of P(j | hint, look) x P(template | j)
    by_jurisdiction: tuple[tuple[str, str, float], ...]  # (jurisdiction code, template as written, mass)


@dataclass(frozen=True)
class FormatPrior:
    """The templates in play for one hint and one look, with their masses; built once and cached."""

    templates: tuple[TemplateMass, ...]
    off_format: float
    table: FormatTable
    by_length: dict[int, tuple[TemplateMass, ...]] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        for t in self.templates:
            self.by_length[len(t.classes)] = (*self.by_length.get(len(t.classes), ()), t)

    def prior(self, text: str) -> float:
        """The prior of a text (before tempering)."""
        return self.off_format + sum(
            t.mass for t in self.by_length.get(len(text), ()) if t.pattern.match(text))

    def attribution(self, text: str) -> list[tuple[str, str, float]]:
        """(jurisdiction, template, mass) of every template the text fits, largest first."""
        out = [c for t in self.by_length.get(len(text), ()) if t.pattern.match(text) for c in t.by_jurisdiction]
        return sorted(out, key=lambda c: -c[2])


def _regex(classes: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("".join("[" + re.escape(c) + "]" for c in classes) + r"\Z")


# Jurisdictions whose prior is below this share are left out of the candidates (and of the prior): under a hint,
# the leak spread over 66 jurisdictions would otherwise cost a decode per template for almost no mass.
MIN_JURISDICTION_SHARE = 1e-3


@cache
def format_prior(hint: JurisdictionHint, kind: str) -> FormatPrior:
    table = plate_formats()
    prior = jurisdiction_prior(hint, kind, table)
    masses: dict[tuple[str, ...], list[tuple[str, str, float]]] = {}
    for code, p in prior.items():
        if p < MIN_JURISDICTION_SHARE:
            continue
        for t in table.jurisdictions[code].templates:
            masses.setdefault(t.classes, []).append((code, t.pattern, p * t.weight))
    templates = tuple(TemplateMass(cls, _regex(cls), sum(m for _, _, m in c), tuple(c)) for cls, c in masses.items())
    return FormatPrior(templates, table.off_format_weight, table)


@dataclass(frozen=True)
class Candidate:
    text: str
    posterior: float
    chars: tuple[float, ...]  # per character: the posterior share of the candidates that agree on it there


@dataclass(frozen=True)
class PlateReading:
    best: Candidate
    alternatives: tuple[Candidate, ...]
    region: Region  # UNKNOWN where the posterior is split between regions
    region_share: float  # the share of the best reading's posterior that comes from its region
    jurisdiction: str | None  # the jurisdiction contributing most to the best reading (None: off-format)
    country: str | None
    format: str | None  # the winning template as written in the table


# A template's best path scoring this far (in log-probability) below the best template's is not a candidate: its
# text could not reach a posterior worth reporting (e^-12 is 6 in a million) and scoring it exactly costs time.
CANDIDATE_LOG_MARGIN = 12.0


def _candidates(cuts: list[np.ndarray], prior: FormatPrior) -> list[str]:
    """The network's best path and its runner-up swaps, and each template's best path within the margin, per cut."""
    texts: set[str] = set()
    seqs = [t.classes for t in prior.templates]
    for lp in cuts:
        greedy = decode(lp)
        texts.add(greedy.text)
        texts.update(t for t, _ in greedy.alternatives)
        paths = [p for p in best_per_template(lp, seqs) if p is not None]
        if paths:
            top = max(p.log_prob for p in paths)
            texts.update(p.text for p in paths if p.log_prob >= top - CANDIDATE_LOG_MARGIN)
    texts.discard("")
    return sorted(texts)


def _char_marginals(best: str, texts: list[str], post: np.ndarray) -> tuple[float, ...]:
    """Per character of ``best``, the posterior of the candidates of its length that agree with it there."""
    out = []
    for i, ch in enumerate(best):
        agree = sum(p for t, p in zip(texts, post, strict=True) if len(t) == len(best) and t[i] == ch)
        out.append(float(min(1.0, agree / max(1e-12, sum(post)))))
    return tuple(out)


def read_plate(cuts: list[np.ndarray], look: PlateLook, hint: JurisdictionHint,
               format_weight: float = FORMAT_WEIGHT, off_format: float | None = None) -> PlateReading | None:
    """The posterior reading of one plate from its cuts' (T, classes) log-probabilities; None when no cut reads any
    character. ``format_weight`` and ``off_format`` override the shipped settings (``training/ocr/tune_decoder.py``
    chooses them)."""
    prior = format_prior(hint, look_kind(look))
    if off_format is not None:
        prior = replace(prior, off_format=off_format, by_length={})
    texts = _candidates(cuts, prior)
    if not texts:
        return None
    priors = np.array([prior.prior(t) for t in texts]) ** format_weight
    likelihood = np.stack([np.exp(log_likelihoods(lp, texts)) for lp in cuts])  # (cuts, texts)
    mass = likelihood * priors  # per cut
    # every text the candidates leave out keeps at least the off-format prior: the posterior stays honest
    rest = np.clip(1.0 - likelihood.sum(axis=1), 0.0, 1.0) * prior.off_format ** format_weight
    evidence = float(mass.sum() + rest.sum())
    post = mass.sum(axis=0) / max(evidence, 1e-300)
    order = np.argsort(-post)
    best_i = int(order[0])
    best_text = texts[best_i]
    chars = _char_marginals(best_text, texts, post)
    cands = [Candidate(texts[i], float(post[i]), ()) for i in order[1: MAX_ALTERNATIVES + 1] if post[i] > 0]
    region, share, juris, fmt = _origin(best_text, prior)
    country = juris.split("-")[0].upper() if juris else None
    return PlateReading(Candidate(best_text, float(post[best_i]), chars), tuple(cands), region, share, juris,
                        country, fmt)


def _origin(text: str, prior: FormatPrior) -> tuple[Region, float, str | None, str | None]:
    """Region (UNKNOWN when split), its share, the jurisdiction (a state or country holding at least half of the
    reading's format mass, else its country when that does, else None) and the template with the most mass."""
    attribution = prior.attribution(text)
    total = prior.off_format + sum(m for _, _, m in attribution)
    by_region: dict[Region, float] = {}
    by_code: dict[str, float] = {}
    by_country: dict[str, float] = {}
    by_pattern: dict[str, float] = {}
    for code, pattern, m in attribution:
        region = prior.table.jurisdictions[code].region
        by_region[region] = by_region.get(region, 0.0) + m
        by_code[code] = by_code.get(code, 0.0) + m
        country = code.split("-")[0]
        by_country[country] = by_country.get(country, 0.0) + m
        by_pattern[pattern] = by_pattern.get(pattern, 0.0) + m
    if not by_region:
        return Region.UNKNOWN, 0.0, None, None
    region, m = max(by_region.items(), key=lambda kv: kv[1])
    share = m / total
    code, code_mass = max(by_code.items(), key=lambda kv: kv[1])
    country, country_mass = max(by_country.items(), key=lambda kv: kv[1])
    jurisdiction = code if code_mass >= 0.5 * total else country if country_mass >= 0.5 * total else None
    pattern = max(by_pattern.items(), key=lambda kv: kv[1])[0]
    return (region if share >= REGION_SURE else Region.UNKNOWN), share, jurisdiction, pattern

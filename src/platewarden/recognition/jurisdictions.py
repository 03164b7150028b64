"""Where a plate may come from: parsing jurisdiction hints and turning hint + look into a prior over jurisdictions.

A hint is what a deployment or a user says (``--region``, the policy's ``recognition.jurisdictions``, a camera's
own setting): ``auto``, a region (``eu``), a country (``us``, ``br``, ``de``) or a subdivision (``us-ca``), each
with an optional weight. With a hint the prior concentrates on it; with ``auto`` it is a mixture over every
jurisdiction weighted by the plate's look (an EU strip, Chinese body colours), from ``look_priors`` in the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from platewarden.domain.plates import Region
from platewarden.recognition.appearance import PlateLook
from platewarden.recognition.formats import FormatTable, plate_formats

AUTO = "auto"
# A hint keeps this share of the prior for plates from elsewhere (a visiting car), spread as ``auto`` would.
HINT_LEAK = 0.05
# A subdivision named in a hint keeps this share of its country's part; the rest goes to the other subdivisions.
SUBDIVISION_FOCUS = 0.9


class UnknownJurisdictionError(ValueError):
    """A hint names no jurisdiction we know; the message lists the valid codes."""


@dataclass(frozen=True)
class JurisdictionHint:
    """Codes with weights (normalised); empty means ``auto``."""

    weights: tuple[tuple[str, float], ...] = ()

    @property
    def is_auto(self) -> bool:
        return not self.weights

    def __str__(self) -> str:
        if self.is_auto:
            return AUTO
        return ",".join(c if len(self.weights) == 1 else f"{c}:{w:g}" for c, w in self.weights)


def check_code(code: str, table: FormatTable | None = None) -> str:
    """A hint code normalised to lower case; ``UnknownJurisdictionError`` listing the valid ones otherwise."""
    table = table or plate_formats()
    norm = code.strip().lower()
    if norm == AUTO or norm in table.codes():
        return norm
    raise UnknownJurisdictionError(
        f"unknown jurisdiction {code!r}; valid: auto, {', '.join(table.codes())}")


def parse_hint(spec: str | Iterable[str] | Mapping[str, float] | None,
               table: FormatTable | None = None) -> JurisdictionHint:
    """``"auto"``, ``"us-ca"``, ``"us-ca,us-nv"``, ``"us-ca:0.7,us-nv:0.3"``, a list of codes or a code→weight map."""
    if spec is None:
        return JurisdictionHint()
    items: list[tuple[str, float]] = []
    if isinstance(spec, Mapping):
        items = [(str(k), float(v)) for k, v in spec.items()]
    else:
        parts = spec.split(",") if isinstance(spec, str) else list(spec)
        for part in parts:
            code, _, weight = part.partition(":")
            try:
                items.append((code, float(weight) if weight else 1.0))
            except ValueError as exc:
                raise UnknownJurisdictionError(f"weight of {code!r} must be a number, not {weight!r}") from exc
    checked = [(check_code(c, table), w) for c, w in items if c.strip()]
    if any(w <= 0 for _, w in checked):
        raise UnknownJurisdictionError("jurisdiction weights must be positive")
    if not checked or any(c == AUTO for c, _ in checked):
        if len(checked) > 1:
            raise UnknownJurisdictionError("'auto' cannot be combined with other jurisdictions")
        return JurisdictionHint()
    total = sum(w for _, w in checked)
    return JurisdictionHint(tuple((c, w / total) for c, w in checked))


def look_kind(look: PlateLook) -> str:
    """Which of the table's look priors applies: an EU strip outranks colours (its stars look like a province)."""
    if look.eu_strip:
        return "eu_strip"
    if look.yellow_body:
        return "yellow_body"
    return "chinese_colours" if look.chinese_colours else "plain"


def _shares(codes: list[str], table: FormatTable) -> dict[str, float]:
    """Countries share a region equally; a country's subdivisions share the country by their weights."""
    countries: dict[str, list[str]] = {}
    for c in codes:
        countries.setdefault(c.split("-")[0], []).append(c)
    out: dict[str, float] = {}
    for members in countries.values():
        total = sum(table.jurisdictions[m].weight for m in members)
        out.update({m: table.jurisdictions[m].weight / total / len(countries) for m in members})
    return out


def _members(code: str, table: FormatTable) -> dict[str, float]:
    """The jurisdictions a code covers, with their shares of it."""
    if code in table.jurisdictions and "-" in code:
        siblings = [j for j in table.jurisdictions if j.startswith(code.split("-")[0] + "-") and j != code]
        out = {code: SUBDIVISION_FOCUS if siblings else 1.0}
        out.update({s: (1 - SUBDIVISION_FOCUS) * w for s, w in _shares(siblings, table).items()})
        return out
    try:
        region = Region(code)
        codes = list(table.regions.get(region, ()))
    except ValueError:
        codes = [j for j in table.jurisdictions if j == code or j.startswith(code + "-")]
    return _shares(codes, table)


def auto_prior(kind: str, table: FormatTable) -> dict[str, float]:
    """The prior over jurisdictions for a plate of this look, no hint given."""
    out: dict[str, float] = {}
    for region, share in table.look_priors[kind].items():
        for code, w in _members(region.value, table).items():
            out[code] = out.get(code, 0.0) + share * w
    return out


def jurisdiction_prior(hint: JurisdictionHint, kind: str, table: FormatTable | None = None) -> dict[str, float]:
    """P(jurisdiction | hint, look), summing to one."""
    table = table or plate_formats()
    auto = auto_prior(kind, table)
    if hint.is_auto:
        return auto
    out = {c: HINT_LEAK * w for c, w in auto.items()}
    for code, weight in hint.weights:
        for member, share in _members(code, table).items():
            out[member] = out.get(member, 0.0) + (1 - HINT_LEAK) * weight * share
    return out


def resolve_hint(given: JurisdictionHint | None, camera: Iterable[str] = (),
                 policy: Iterable[str] | Mapping[str, float] | None = None) -> JurisdictionHint:
    """Which hint a camera's reader uses: ``--region`` when given, else the camera's own setting in the registry,
    else the policy's ``recognition.jurisdictions``, else ``auto``."""
    if given is not None:
        return given
    cam = list(camera)
    if cam:
        return parse_hint(cam)
    return parse_hint(policy) if policy is not None else JurisdictionHint()

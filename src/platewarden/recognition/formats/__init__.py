"""Plate formats as data: the jurisdictions we know, their serial templates and their priors.

The table lives in ``plate_formats.yaml`` beside this module and is validated when loaded (pydantic,
``extra="forbid"``): every class names only characters the OCR can emit, every template parses and expands to at
least one fixed-length sequence, every weight is positive and every region lists known jurisdictions. A template
such as ``"L{1,3} L{1,2} Z D{0,3}"`` (a class symbol, or a literal set in brackets such as ``[B]``, each
optionally repeated) expands into every fixed-length sequence of per-position character classes it
allows; the decoder (``recognition.decoding``) works on those sequences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import product
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from platewarden.domain.plates import Region
from platewarden.recognition.alphabet import ALPHABET

_TOKEN = re.compile(r"\s*([A-Z]|\[[^\]]+\])(?:\{(\d+)(?:,(\d+))?\})?")
MAX_PLATE_LENGTH = 10  # no template expands beyond this many characters


class FormatTableError(ValueError):
    """The format table is malformed; the message says where."""


class _TemplateSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template: str = Field(min_length=1)
    weight: float = Field(gt=0)
    vanity: bool = False


class _Subdivision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    weight: float = Field(1.0, gt=0)  # its share of the country's plates (relative)
    templates: list[_TemplateSpec] = Field(min_length=1)


class _Country(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    region: Region
    source: str = Field(min_length=8)
    templates: list[_TemplateSpec] = []
    common: list[_TemplateSpec] = []
    subdivisions: dict[str, _Subdivision] = {}

    @model_validator(mode="after")
    def _has_templates(self) -> _Country:
        if not self.templates and not self.subdivisions:
            raise ValueError("a country needs templates or subdivisions")
        return self


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid")
    classes: dict[str, str]
    countries: dict[str, _Country]
    regions: dict[str, list[str]]
    look_priors: dict[str, dict[str, float]]
    off_format_weight: float = Field(gt=0, lt=1)

    @field_validator("classes")
    @classmethod
    def _classes_in_alphabet(cls, v: dict[str, str]) -> dict[str, str]:
        for sym, chars in v.items():
            if len(sym) != 1 or not sym.isupper():
                raise ValueError(f"class symbol {sym!r} must be one upper-case letter")
            bad = sorted(set(chars) - set(ALPHABET))
            if bad or not chars:
                raise ValueError(f"class {sym} holds characters the OCR cannot emit: {bad}")
        return v

    @model_validator(mode="after")
    def _regions_known(self) -> _Table:
        for region, members in self.regions.items():
            Region(region)
            for code in members:
                if code not in self.countries:
                    raise ValueError(f"region {region} names unknown country {code!r}")
        for look, shares in self.look_priors.items():
            for region, w in shares.items():
                if region not in self.regions or w <= 0:
                    raise ValueError(f"look prior {look}: {region!r} must be a region with a positive share")
        return self


@dataclass(frozen=True)
class Template:
    """One fixed-length serial format: a class (set of characters) per position, and its prior in its jurisdiction."""

    pattern: str  # as written in the table, e.g. "S{3} D{4}"
    classes: tuple[str, ...]  # the characters allowed at each position
    weight: float  # P(template | jurisdiction): the template as written, shared by all its fixed-length expansions
    vanity: bool = False

    def fits(self, text: str) -> bool:
        return len(text) == len(self.classes) and all(c in cls for c, cls in zip(text, self.classes, strict=True))


@dataclass(frozen=True)
class Jurisdiction:
    code: str  # "de", "us-ca"
    name: str
    region: Region
    country: str  # ISO 3166-1 alpha-2, upper case
    templates: tuple[Template, ...]
    source: str
    weight: float = 1.0  # a subdivision's share of its country's plates (relative to its siblings)

    def fitting(self, text: str) -> list[Template]:
        return [t for t in self.templates if t.fits(text)]


@dataclass(frozen=True)
class FormatTable:
    jurisdictions: dict[str, Jurisdiction]
    regions: dict[Region, tuple[str, ...]]  # region -> jurisdiction codes
    look_priors: dict[str, dict[Region, float]]
    off_format_weight: float

    def codes(self) -> list[str]:
        """Every code a hint may name: regions, countries and subdivisions."""
        countries = {j.split("-")[0] for j in self.jurisdictions}
        return sorted({r.value for r in self.regions} | countries | set(self.jurisdictions))


def expand(pattern: str, classes: dict[str, str]) -> list[tuple[str, ...]]:
    """Every fixed-length class sequence a template allows ("L{1,2} D" -> [L D], [L L D])."""
    pos = 0
    parts: list[list[tuple[str, ...]]] = []
    stripped = pattern.rstrip()
    while pos < len(stripped):
        m = _TOKEN.match(stripped, pos)
        if not m or m.end() == pos:
            raise FormatTableError(f"template {pattern!r}: cannot parse at {stripped[pos:]!r}")
        sym, lo_s, hi_s = m.groups()
        if sym.startswith("["):  # a literal set: "[B]" is the letter B only
            chars = sym[1:-1]
            if not chars or set(chars) - set(ALPHABET):
                raise FormatTableError(f"template {pattern!r}: {sym} holds characters the OCR cannot emit")
        elif sym in classes:
            chars = classes[sym]
        else:
            raise FormatTableError(f"template {pattern!r}: unknown class {sym!r}")
        lo = int(lo_s) if lo_s else 1
        hi = int(hi_s) if hi_s else lo
        if hi < lo:
            raise FormatTableError(f"template {pattern!r}: {{{lo},{hi}}} is empty")
        parts.append([(chars,) * n for n in range(lo, hi + 1)])
        pos = m.end()
    out = sorted({sum(combo, ()) for combo in product(*parts)}, key=len)
    out = [seq for seq in out if 0 < len(seq) <= MAX_PLATE_LENGTH]
    if not out:
        raise FormatTableError(f"template {pattern!r} allows no plate of 1-{MAX_PLATE_LENGTH} characters")
    return out


def _templates(specs: list[_TemplateSpec], classes: dict[str, str]) -> list[Template]:
    """Expanded templates with weights normalised over the list; every expansion of a template carries the template's
    weight (a text fits at most one expansion of a template: expansions differ in length or in classes)."""
    total = sum(s.weight for s in specs)
    out = []
    for s in specs:
        out += [Template(s.template, seq, s.weight / total, s.vanity) for seq in expand(s.template, classes)]
    return out


def build_table(raw: dict[str, Any]) -> FormatTable:
    """Validate a parsed table and expand its templates; raises ``FormatTableError`` saying what is wrong."""
    try:
        table = _Table.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise FormatTableError(f"plate format table, {where}: {first['msg']}") from exc
    juris: dict[str, Jurisdiction] = {}
    for code, c in table.countries.items():
        if c.templates:
            own = tuple(_templates(c.templates, table.classes))
            juris[code] = Jurisdiction(code, c.name, c.region, code.upper(), own, c.source)
        for sub, s in c.subdivisions.items():
            juris[f"{code}-{sub}"] = Jurisdiction(f"{code}-{sub}", s.name, c.region, code.upper(),
                                                  tuple(_templates(s.templates + c.common, table.classes)), c.source,
                                                  s.weight)
    regions = {Region(r): tuple(j for j in juris if j.split("-")[0] in members) for r, members in table.regions.items()}
    looks = {k: {Region(r): w for r, w in v.items()} for k, v in table.look_priors.items()}
    return FormatTable(juris, regions, looks, table.off_format_weight)


@cache
def plate_formats() -> FormatTable:
    """The shipped table, loaded and validated once."""
    text = resources.files(__package__).joinpath("plate_formats.yaml").read_text(encoding="utf-8")
    return build_table(yaml.safe_load(text))


def plate_text_problem(text: str) -> str | None:
    """Why ``text`` cannot be a plate any jurisdiction in the table issues (a character no plate carries, or a length
    no template has), or None. The door check for plate text that arrives from outside (edge messages, hotlists)."""
    lengths = _template_lengths()
    if not lengths[0] <= len(text) <= lengths[1]:
        return f"{len(text)} characters; plates have {lengths[0]} to {lengths[1]}"
    bad = sorted(set(text) - set(ALPHABET))
    if bad:
        return f"characters no plate carries: {''.join(bad)[:20]!r}"
    return None


@cache
def _template_lengths() -> tuple[int, int]:
    sizes = [len(t.classes) for j in plate_formats().jurisdictions.values() for t in j.templates]
    return min(sizes), max(sizes)

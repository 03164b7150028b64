"""The plate format table: validated when loaded, and true to the plates our generator renders."""

from __future__ import annotations

import random

import pytest

from platewarden.recognition.formats import FormatTableError, build_table, expand, plate_formats
from platewarden.synthetic.formats import STYLE_FORMATS
from platewarden.synthetic.plates import random_spec

# The jurisdiction (or country prefix) each rendered style belongs to; "eu" is a generic European layout of no
# country and is left out.
STYLE_JURISDICTION = {"us": "us-", "us-2row": "us-", "de": "de", "de-2row": "de", "fr": "fr", "it": "it",
                      "es": "es", "nl": "nl", "ro": "ro", "uk": "gb", "uk-2row": "gb", "br-grey": "br",
                      "br-mercosul": "br", "cn-blue": "cn", "cn-green": "cn", "cn-yellow": "cn"}


def test_the_table_covers_every_us_state_dc_and_the_countries_asked_for() -> None:
    table = plate_formats()
    states = {c for c in table.jurisdictions if c.startswith("us-")}
    assert len(states) == 51  # 50 states and DC
    for country in ("de", "fr", "it", "es", "nl", "ro", "gb", "pl", "be", "at", "ch", "cz", "pt", "br", "cn"):
        assert country in table.jurisdictions
    for j in table.jurisdictions.values():
        assert j.source.startswith("http")
        assert sum({t.pattern: t.weight for t in j.templates}.values()) == pytest.approx(1.0, abs=1e-9) or \
            len({t.pattern for t in j.templates}) < len({(t.pattern, t.weight) for t in j.templates})
    us = table.jurisdictions["us-ca"]
    assert any(t.vanity for t in us.templates)  # personalised plates are a template of their own, with a small prior
    assert sum({t.pattern: t.weight for t in us.templates if t.vanity}.values()) < 0.1


@pytest.mark.parametrize("style", sorted(STYLE_JURISDICTION))
def test_every_rendered_plate_fits_a_template_of_its_jurisdiction(style: str) -> None:
    assert set(STYLE_JURISDICTION) == set(STYLE_FORMATS) - {"eu"}
    table = plate_formats()
    prefix = STYLE_JURISDICTION[style]
    juris = [j for c, j in table.jurisdictions.items()
             if c == prefix or (prefix.endswith("-") and c.startswith(prefix))]
    rng = random.Random(11)
    for _ in range(300):
        text = random_spec(rng, [style]).text
        assert any(j.fitting(text) for j in juris), f"{style}: {text} fits no template of {prefix}"


def test_templates_expand_to_fixed_lengths() -> None:
    classes = {"L": "AB", "D": "01"}
    assert expand("L{1,2} D", classes) == [("AB", "01"), ("AB", "AB", "01")]
    assert expand("[B] D{2}", classes) == [("B", "01", "01")]


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t["classes"].update(X="ä"), "cannot emit"),
    (lambda t: t["countries"]["xx"]["templates"][0].update(template="Q{2}"), "unknown class"),
    (lambda t: t["countries"]["xx"]["templates"][0].update(template="L{3,1}"), "is empty"),
    (lambda t: t["countries"]["xx"]["templates"][0].update(weight=0), "greater than 0"),
    (lambda t: t["countries"]["xx"].update(colour="blue"), "Extra inputs"),
    (lambda t: t["regions"].update(eu=["zz"]), "unknown country"),
    (lambda t: t["countries"]["xx"]["templates"][0].update(template="D{11}"), "allows no plate"),
])
def test_a_malformed_table_is_refused_with_where(change: object, message: str) -> None:
    raw = {"classes": {"L": "ABC", "D": "012"},
           "countries": {"xx": {"name": "X", "region": "eu", "source": "https://example.org/x",
                                "templates": [{"template": "L{2} D{3}", "weight": 1.0}]}},
           "regions": {"eu": ["xx"]}, "look_priors": {"plain": {"eu": 1.0}}, "off_format_weight": 0.02}
    build_table(raw)  # the unchanged table is fine
    change(raw)  # type: ignore[operator]
    with pytest.raises(FormatTableError, match=message):
        build_table(raw)

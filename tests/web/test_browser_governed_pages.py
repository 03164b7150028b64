"""The governed pages acted on in a real headless Chromium, as their users would: an officer runs an authorized
search, exports it (CSV and signed PDF, both downloaded and checked) and asks for a hold on ticked sightings; a
department head approves and later releases the hold; a prosecutor downloads the case's evidence package; an officer
designates a zone that the chain approves and a head revokes; a head proposes a sharing agreement that a prosecutor
approves and a head ends. Every act lands in the ledger. Screenshots: PLATEWARDEN_SCREENSHOTS=DIR."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from platewarden.governance.scope import Scope
from platewarden.investigation.search_export import verify_pdf
from platewarden.ledger.notes import Signer
from tests.factories import make_read
from tests.web.conftest import CAMS, CHROMIUM, shot, sign_in

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")


WIDTHS = pytest.mark.parametrize("width", [1280, 390])  # a desk screen, and a phone or patrol tablet


def fits(page) -> bool:  # type: ignore[no-untyped-def]
    """Nothing sticks out sideways: the page needs no horizontal scrolling at its width."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def _ledgered(p, kind: str, action: str) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for _, e in p.ledger.parsed() if e["kind"] == kind and e["body"].get("action") == action)


@WIDTHS
def test_search_export_hold_evidence_and_release_in_the_browser(width: int, server, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base, p, who, clock = server
    t0 = clock.now()
    p.read_writer("browser").write([make_read("KX7204", t0 + timedelta(hours=1), CAMS[0], n=1),
                                    make_read("KX7204", t0 + timedelta(hours=2), CAMS[1], n=2)])
    scope = Scope(("KX7204",), None, None, t0, t0 + timedelta(days=1), ("cam-north", "cam-south"), None,
                  "trace the getaway car", "witness saw the car leave the bank")
    req = p.searches.apply(who["officer"], "2026-CR-88", "robbery", scope)
    p.searches.approve(req.id, who["head"])
    p.searches.approve(req.id, who["prosecutor"])

    officer = sign_in(browser, base, "officer", clock, width)
    officer.goto(f"{base}/searches/{req.id}")
    officer.click("text=Run inside this authorization")
    officer.locator("tr.result").first.wait_for()
    assert officer.locator("tr.result").count() == 2
    assert officer.locator("img.thumb").first.evaluate("i => i.naturalWidth") > 0  # thumbnails are real images
    with officer.expect_download() as got:
        officer.click("button[value=csv]")
    rows = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text())))
    assert len(rows) == 2 and {r["plate"] for r in rows} == {"KX7204"}
    with officer.expect_download() as got:
        officer.click("button[value=pdf]")
    pdf = tmp_path / "results.pdf"
    got.value.save_as(pdf)
    checked = verify_pdf(pdf.read_bytes(), p.ledger.public_key)
    assert checked.ok and checked.results == 2 and checked.case == "2026-CR-88", checked.problems
    assert _ledgered(p, "search", "export") == 2

    officer.locator("input[name=read_ids]").first.check()
    officer.fill("#hold-form input[name=reason]", "the first sighting places the car at the bank")
    shot(officer, f"10-results-hold-asked-{width}")
    assert fits(officer)
    officer.click("#hold-form button[type=submit]")
    assert "hold" in officer.inner_text(".flash").lower()
    (hold,) = p.retention.holds()
    assert hold["state"] == "awaiting approval"

    head = sign_in(browser, base, "head", clock, width)
    head.goto(f"{base}/cases")
    row = head.locator(f"#hold-{hold['id']}")
    assert row.locator(".status").inner_text() == "awaiting approval"
    row.locator("button:has-text('Approve')").click()
    row = head.locator(f"#hold-{hold['id']}")
    assert row.locator(".status").inner_text() == "active"
    shot(head, f"11-cases-hold-placed-{width}")
    assert fits(head)

    prosecutor = sign_in(browser, base, "prosecutor", clock, width)
    prosecutor.goto(f"{base}/cases")
    assert p.ledger.public_key.encode() in prosecutor.inner_text(".log-key")
    with prosecutor.expect_download() as got:
        prosecutor.click("#evidence button[type=submit]")
    with zipfile.ZipFile(got.value.path()) as z:
        assert len(z.namelist()) > 1
    assert [e["body"]["reads"] for _, e in p.ledger.parsed()
            if e["kind"] == "evidence_export" and e["body"].get("case") == "2026-CR-88"] == [1]

    head.goto(f"{base}/cases")
    row = head.locator(f"#hold-{hold['id']}")
    row.locator("input[name=reason]").last.fill("the trial is over, the verdict is final")
    row.locator("button:has-text('Release')").click()
    assert head.locator(f"#hold-{hold['id']} .status").inner_text() == "released"
    assert _ledgered(p, "hold", "release") == 1


@WIDTHS
def test_zone_designated_approved_and_revoked_in_the_browser(width: int, server, browser) -> None:  # type: ignore[no-untyped-def]
    base, p, _, clock = server
    officer = sign_in(browser, base, "officer", clock, width)
    officer.goto(f"{base}/zones")
    officer.fill("#designate input[name=name]", "Harbour")
    officer.fill("#designate textarea[name=polygon]", "52.36,4.88\n52.38,4.88\n52.38,4.90\n52.36,4.90")
    officer.fill("#designate textarea[name=justification]", "burglary series in the harbour")
    officer.fill("#designate input[name=min_sightings]", "3")
    officer.fill("#designate input[name=expires]", (clock.now() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"))
    officer.click("#designate button[type=submit]")
    assert "Zone Harbour designated" in officer.inner_text(".flash")
    (zone,) = p.zones.all()
    for name in ("head", "prosecutor", "ethics"):
        page = sign_in(browser, base, name, clock, width)
        page.goto(f"{base}/approvals")
        form = page.locator(f"form[action='/approvals/zone/{zone.id}']")
        form.locator("input[name=reason]").fill("proportionate and time-limited")
        form.locator("button[value=approve]").click()
        assert "Decision recorded" in page.content()
    assert p.zones.get(zone.id).status.value == "active"
    head = sign_in(browser, base, "head", clock, width)
    head.goto(f"{base}/zones")
    head.locator(".leaflet-container, svg.map").first.wait_for()
    shot(head, f"12-zones-active-{width}")
    assert fits(head)
    head.fill(f"form[action='/zones/{zone.id}/revoke'] input[name=reason]", "the burglary series is solved")
    head.click(f"form[action='/zones/{zone.id}/revoke'] button")
    assert "Zone revoked" in head.inner_text(".flash")
    assert p.zones.get(zone.id).status.value == "revoked"
    assert _ledgered(p, "zone_watch", "revoked") == 1


@WIDTHS
def test_sharing_agreement_proposed_approved_and_ended_in_the_browser(width: int, server, browser) -> None:  # type: ignore[no-untyped-def]
    base, p, _, clock = server
    head = sign_in(browser, base, "head", clock, width)
    head.goto(f"{base}/sharing")
    head.fill("#propose input[name=partner]", "Partner Police")
    head.fill("#propose input[name=jurisdiction]", "DE")
    head.check("#propose input[name=purposes][value=robbery]")
    head.fill("#propose input[name=retention_days]", "14")
    head.fill("#propose input[name=valid_until]", (clock.now() + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M"))
    head.fill("#propose input[name=partner_key]", Signer.generate("partner.example/ledger").verifier.encode())
    head.click("#propose button[type=submit]")
    assert "Agreement with Partner Police proposed" in head.inner_text(".flash")
    (agreement,) = p.sharing.all()
    card = head.locator(f"#agreement-{agreement.id}")
    assert "next: a prosecutor decides" in card.inner_text()
    assert card.locator("button:has-text('Approve')").count() == 0  # the proposer does not decide

    prosecutor = sign_in(browser, base, "prosecutor", clock, width)
    prosecutor.goto(f"{base}/sharing")
    card = prosecutor.locator(f"#agreement-{agreement.id}")
    card.locator("input[name=reason]").first.fill("lawful basis: the treaty of 2026")
    card.locator("button:has-text('Approve')").click()
    assert prosecutor.locator(f"#agreement-{agreement.id} .status").inner_text() == "active"
    shot(prosecutor, f"13-sharing-active-{width}")
    assert fits(prosecutor)

    head.goto(f"{base}/sharing")
    card = head.locator(f"#agreement-{agreement.id}")
    card.locator("form[action$='/end'] input[name=reason]").fill("the partner left the treaty")
    card.locator("button:has-text('End the agreement')").click()
    assert head.locator(f"#agreement-{agreement.id} .status").inner_text() == "ended"
    assert _ledgered(p, "sharing", "end") == 1


@WIDTHS
def test_auditor_compares_two_checkpoints_in_the_browser(width: int, server, browser) -> None:  # type: ignore[no-untyped-def]
    base, p, who, clock = server
    old = p.ledger.checkpoints()[-1][0]
    p.sharing.propose(who["head"], "Partner Police", "DE", ["robbery"], 14, clock.now() + timedelta(days=90),
                      Signer.generate("partner.example/ledger").verifier.encode())
    auditor = sign_in(browser, base, "auditor", clock, width)  # its sign-in is ledgered and checkpointed too
    new = p.ledger.checkpoints()[-1][0]
    auditor.goto(f"{base}/ledger")
    auditor.select_option("select[name=diff_from]", str(old))
    auditor.select_option("select[name=diff_to]", str(new))
    auditor.click("#diff-form button[type=submit]")
    diff = auditor.locator("#diff")
    assert "Both checkpoints are signed by the log key, and the newer one extends the older" in diff.inner_text()
    assert "sharing" in diff.inner_text() and auditor.locator("#diff-entries tr").count() == new - old + 1
    shot(auditor, f"14-ledger-checkpoint-diff-{width}")
    assert fits(auditor)


@WIDTHS
def test_each_roles_home_in_the_browser(width: int, server, browser) -> None:  # type: ignore[no-untyped-def]
    """Each role's home shows its own panels and fits the screen: the dispatcher its cameras, approvers their inbox,
    the auditor the ledger's integrity; the menu offers only the pages the role may open."""
    base, p, who, clock = server
    scope = Scope(("KX7204",), None, None, clock.now() - timedelta(days=1), clock.now(), ("cam-north",), None,
                  "trace the getaway car", "witness saw the car leave the bank")
    p.searches.apply(who["officer"], "2026-CR-90", "robbery", scope)
    expected = {"operator": ("#camera-health", "/alerts", "/ledger"),
                "head": ("main li:has-text('1 request(s) wait for your decision')", "/approvals", "/accounts"),
                "auditor": ("#integrity", "/ledger", "/approvals"),
                "admin": ("main li:has-text('Accounts: activate')", "/accounts", "/alerts")}
    for name, (panel, offered, withheld) in expected.items():
        page = sign_in(browser, base, name, clock, width)
        assert page.locator(panel).count() == 1, (name, panel)
        menu = [a.get_attribute("href") for a in page.locator("header a").all()]
        assert offered in menu and withheld not in menu, (name, menu)
        assert fits(page), (name, width)
        shot(page, f"20-home-{name}-{width}")

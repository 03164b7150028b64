"""The compliance assessment's findings for what an independent tester found unflagged or mis-graded, each as a
change to a real snapshot (built by tests.audit.known_data) that the assessment must now report."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from platewarden.audit.compliance.assess import Severity, assess
from platewarden.audit.compliance.gather import gather
from platewarden.audit.compliance.sections import RULES, verdict
from platewarden.audit.compliance.snapshot import Snapshot, UndisposedInfo, ZoneInfo
from platewarden.domain.clock import ManualClock
from platewarden.runtime import Platform
from tests.audit.known_data import FIRST, LAST, build


@pytest.fixture
def snap(platform: Platform, clock: ManualClock, tmp_path: Path) -> Snapshot:
    build(platform, clock, tmp_path)
    return gather(platform, FIRST, LAST)


def codes(s: Snapshot) -> dict[str, Severity]:
    return {f.code: f.severity for f in assess(s).findings}


def test_hotlist_plates_too_short_to_read_are_flagged(snap: Snapshot) -> None:
    """Plates `A` and `AB` were accepted and the report said "hotlist hygiene: no finding"."""
    entries = snap.hotlist.entries
    short = [*entries, entries[0].model_copy(update={"id": "e-a", "plate_length": 1, "status": "active"}),
             entries[0].model_copy(update={"id": "e-ab", "plate_length": 2, "status": "pending"})]
    ass = assess(snap.model_copy(update={"hotlist": snap.hotlist.model_copy(update={"entries": short})}))
    [f] = [f for f in ass.findings if f.code == "plate-syntax"]
    assert f.severity is Severity.WARNING
    assert f.items == ("entry e-a: 1 character (active)", "entry e-ab: 2 characters (pending)")
    assert "plate-syntax" not in codes(snap)


def test_density_exceptions_are_listed_with_their_reasons(snap: Snapshot) -> None:
    """Camera density above the limit by exception was shown in a chart only."""
    [f] = [f for f in assess(snap).findings if f.code == "density-exception"]
    assert f.severity is Severity.NOTICE
    assert any("school run: council resolution 2026-31" in item for item in f.items)


def test_a_policy_without_a_public_comment_period_is_critical(snap: Snapshot) -> None:
    policy = snap.policy.model_copy(update={"deployment": snap.policy.deployment.model_copy(
        update={"public_comment_days": 0})})
    assert codes(snap.model_copy(update={"policy": policy}))["comment-period"] is Severity.CRITICAL
    short = snap.policy.model_copy(update={"deployment": snap.policy.deployment.model_copy(
        update={"public_comment_days": 5})})
    assert codes(snap.model_copy(update={"policy": short}))["comment-period"] is Severity.WARNING
    assert "comment-period" not in codes(snap)


def test_zones_past_expiry_residue_expiring_and_outliers(snap: Snapshot) -> None:
    """The report had nothing about zones."""
    now = snap.generated_at
    zone = ZoneInfo(id="z", name="Square", status="active", area_km2=1.0, cameras=2, sightings=0, alerts=0)
    zones = [
        zone.model_copy(update={"id": "late", "expires_at": now - timedelta(days=2), "key_present": True}),
        zone.model_copy(update={"id": "ended", "status": "revoked", "expires_at": now + timedelta(days=9),
                                "tokens_stored": 4, "alerts_stored": 1}),
        zone.model_copy(update={"id": "soon", "expires_at": now + timedelta(days=3), "key_present": True,
                                "sightings": 100, "alerts": 30}),
        zone.model_copy(update={"id": "calm", "expires_at": now + timedelta(days=60), "key_present": True,
                                "sightings": 900, "alerts": 5}),
    ]
    found = {f.code: f for f in assess(snap.model_copy(update={"zones": zones})).findings}
    assert found["zone-past-expiry"].severity is Severity.CRITICAL and "zone late" in found["zone-past-expiry"].items[0]
    assert found["zone-residue"].severity is Severity.CRITICAL
    assert found["zone-residue"].items == ("zone ended (Square, revoked): 4 presence tokens, 1 zone alerts",)
    assert found["zone-expiring"].items[0].startswith("zone soon")
    assert found["zone-alert-outlier"].items[0].startswith("zone soon")  # 30 % against 3.5 % over all zones
    assert not any(f.section == "zones" for f in assess(snap).findings)


def test_undisposed_alerts_are_listed_by_age(snap: Snapshot) -> None:
    """Undisposed alerts were a notice without which alerts or how old (two were 45 days old)."""
    now = snap.generated_at
    waiting = [UndisposedInfo(id="a-old", created_at=now - timedelta(days=45)),
               UndisposedInfo(id="a-new", created_at=now - timedelta(hours=5))]
    alerts = snap.alerts.model_copy(update={"undisposed": 2, "undisposed_alerts": waiting})
    [f] = [f for f in assess(snap.model_copy(update={"alerts": alerts})).findings if f.code == "undisposed"]
    assert f.severity is Severity.WARNING and "1 waiting more than 7 days" in f.title
    assert f.items[0].startswith("alert a-old: raised") and "waiting 45 days" in f.items[0]
    fresh = snap.alerts.model_copy(update={"undisposed": 1, "undisposed_alerts": waiting[1:]})
    [g] = [f for f in assess(snap.model_copy(update={"alerts": fresh})).findings if f.code == "undisposed"]
    assert g.severity is Severity.NOTICE


def test_an_exigent_search_never_reviewed_is_critical(snap: Snapshot) -> None:
    """A never-reviewed exigent search was only a warning."""
    requests = []
    for r in snap.authorization.requests:
        if r.exigent:
            r = r.model_copy(update={"steps": [s for s in r.steps if s.role != "prosecutor"]})
        requests.append(r)
    changed = snap.model_copy(update={"authorization": snap.authorization.model_copy(update={"requests": requests})})
    found = codes(changed)
    assert found["exigent-never-reviewed"] is Severity.CRITICAL
    assert codes(snap)["exigent-review-overdue"] is Severity.WARNING  # reviewed, but late: still a warning


def test_a_section_never_reads_as_fine_above_a_finding(snap: Snapshot) -> None:
    """Each section opened with a reassuring sentence printed above a CRITICAL finding that said the opposite."""
    ass = assess(snap)
    for section, rule in RULES.items():
        assert not rule.startswith(("No ordinary", "Every search ran", "Every entry has"))
        line = verdict(section, ass)
        if ass.by_section(section):
            assert not line.startswith("No finding")
        else:
            assert line.startswith("No finding")
    assert verdict("retention", ass).startswith("The rule was broken: 1 critical")


def test_a_policy_in_force_without_an_approved_policy_change_is_flagged(snap: Snapshot) -> None:
    """Findings for every rule the policy states, policy changes included: a policy applied without its
    policy_change chain (nothing in the ledger names its digest) is a warning; once approved, not."""
    assert snap.policy_digest and codes(snap)["policy-not-approved"] is Severity.WARNING
    approved = snap.model_copy(update={"approved_policy_digests": [snap.policy_digest]})
    assert "policy-not-approved" not in codes(approved)

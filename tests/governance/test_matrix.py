"""A generated role x action x scope matrix (more than 1,000 cases) with zero leaks: every act the rules forbid is
refused and ledgered, every act they allow succeeds, and no search returns a read outside its scope.

The expected outcome comes from an oracle written here from the issue's rules, independently of the code."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from platewarden.config import Settings
from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.cameras import Camera
from platewarden.domain.clock import ManualClock
from platewarden.governance.scope import Query, Scope
from platewarden.governance.search import SearchRefused
from platewarden.ledger.entries import EventKind
from platewarden.runtime import Platform
from tests.factories import make_read, people

CAM_IN = Camera("cam-in", "In scope", 52.37, 4.89, 0.0, "main")
CAM_OUT = Camera("cam-out", "Out of scope", 52.50, 4.60, 0.0, "far")
STATES = ["pending0", "pending1", "active", "expired", "revoked", "rejected", "exigent", "exigent_expired"]
ACTORS = ["officer", "officer2", "head", "head2", "prosecutor", "prosecutor2", "operator", "auditor", "ethics",
          "admin"]
ACTIONS = ["approve", "search_in", "search_plate_out", "search_time_out", "search_camera_out", "search_area_out",
           "revoke"]
SCOPES = ["exact_cameras", "pattern_area"]


def oracle(state: str, actor: str, action: str, scope_kind: str) -> bool:
    """The rules, restated: who may do what to a request in a given state (the applicant is 'officer').

    A query that names extra cameras inside an area-only scope, or adds an area to a cameras-only scope, is still
    inside the scope (it only narrows it); the out-of-scope variants are those that widen a dimension the scope
    fixes."""
    if action == "approve":
        if state == "pending0":
            return actor in ("head", "head2")
        if state == "pending1":  # head approved level 1; a prosecutor decides level 2
            return actor in ("prosecutor", "prosecutor2")
        return False
    if action == "revoke":
        return state in ("pending0", "pending1", "active", "exigent") and actor.startswith(("head", "prosecutor"))
    if action.startswith("search"):
        narrowing = {"exact_cameras": "search_area_out", "pattern_area": "search_camera_out"}[scope_kind]
        return action in ("search_in", narrowing) and actor == "officer" and state in ("active", "exigent")
    raise AssertionError(action)


def refusals(p: Platform, since: int = 0) -> int:
    return sum(1 for e in p.ledger.entries(since) if b'"kind":"search_refused"' in e)


@pytest.fixture
def world(db_url: str, tmp_path: Path, clock: ManualClock) -> Iterator[tuple[Platform, dict, ManualClock]]:  # type: ignore[type-arg]
    # The matrix replays hundreds of exigent requests at one moment: the per-officer cap (tested on its own in
    # test_door_checks.py) is raised so that it does not mask the authorization rules under test here.
    policy = tmp_path / "policy.yaml"
    policy.write_text("exigent:\n  max_per_officer_per_week: 1000\n")
    platform = Platform.open(Settings(data_dir=tmp_path / "data", database_url=db_url, policy_file=policy),
                             clock=clock, notify=False)
    who = people(platform)
    t0 = clock.now()
    reads = [make_read("KX7204", t0 + timedelta(hours=2), CAM_IN, n=1),
             make_read("KX7204", t0 + timedelta(hours=3), CAM_OUT, n=2),
             make_read("KX7204", t0 + timedelta(days=5), CAM_IN, n=3),
             make_read("ZZ9999", t0 + timedelta(hours=2), CAM_IN, n=4)]
    platform.reads.ingest(reads)
    try:
        yield platform, who, clock
    finally:
        platform.close()


def make_request(p: Platform, who: dict, clock: ManualClock, state: str, scope_kind: str) -> str:  # type: ignore[type-arg]
    t0 = clock.now()
    if scope_kind == "exact_cameras":
        scope = Scope(("KX7204",), None, None, t0, t0 + timedelta(days=2), ("cam-in",), None, "find the van",
                      "witness saw the van at the robbery")
    else:
        scope = Scope((), "KX72?4", "witness saw only part of the plate", t0, t0 + timedelta(days=2), (),
                      (52.3, 4.8, 52.4, 5.0), "find the van", "witness saw the van at the robbery")
    exigent = state.startswith("exigent")
    req = p.searches.apply(who["officer"], "2026-CR-17", "child_abduction" if exigent else "robbery", scope, exigent)
    if state in ("pending1", "active", "expired"):
        p.searches.approve(req.id, who["head"])
    if state in ("active", "expired"):
        p.searches.approve(req.id, who["prosecutor"])
    if state == "revoked":
        p.searches.revoke(req.id, who["head"], "case closed")
    if state == "rejected":
        p.searches.reject(req.id, who["head"], "not proportionate")
    return req.id


def query(action: str, scope_kind: str, clock: ManualClock) -> Query:
    t0 = clock.now()
    start, end = t0, t0 + timedelta(days=1)
    plate, pattern = ("KX7204", None) if scope_kind == "exact_cameras" else (None, "KX72?4")
    cams: tuple[str, ...] = ("cam-in",) if scope_kind == "exact_cameras" else ()
    area = None if scope_kind == "exact_cameras" else (52.3, 4.8, 52.4, 5.0)
    if action == "search_plate_out":
        plate, pattern = "ZZ9999", None
    elif action == "search_time_out":
        end = t0 + timedelta(days=6)
    elif action == "search_camera_out":
        cams = ("cam-in", "cam-out")
    elif action == "search_area_out":
        area = (52.0, 4.0, 53.0, 5.0)
    return Query(plate, pattern, start, end, cams, area)


def test_role_action_scope_matrix(world: tuple[Platform, dict, ManualClock]) -> None:  # type: ignore[type-arg]
    p, who, clock = world
    cases = list(itertools.product(SCOPES, STATES, ACTORS, ACTIONS))
    assert len(cases) >= 1000
    base = clock.now()
    for scope_kind, state, actor, action in cases:
        clock.set(base)
        rid = make_request(p, who, clock, state, scope_kind)
        if state.endswith("expired"):
            clock.advance(timedelta(days=p.policy.search.valid_days + 1))
        allowed = oracle(state, actor, action, scope_kind)
        before = p.ledger.size()
        user = who[actor]
        try:
            if action == "approve":
                p.searches.approve(rid, user)
            elif action == "revoke":
                p.searches.revoke(rid, user, "no longer needed")
            else:
                result = p.searches.search(user, rid, query(action, scope_kind, clock))
                # within scope only: the in-scope plate, camera and window
                assert result.reads and all(r.text == "KX7204" and r.camera_id == "cam-in" for r in result.reads)
                assert all(base <= r.first_seen <= base + timedelta(days=1) for r in result.reads)
            outcome = True
        except (ApprovalRefused, SearchRefused):
            outcome = False
        case = f"{scope_kind}/{state}/{actor}/{action}"
        assert outcome == allowed, f"{case}: {'allowed' if outcome else 'refused'}, expected the opposite"
        assert refusals(p, before) == (0 if allowed else 1), f"{case}: refusal not ledgered exactly once"


def test_search_results_and_access_record(world: tuple[Platform, dict, ManualClock]) -> None:  # type: ignore[type-arg]
    p, who, clock = world
    rid = make_request(p, who, clock, "active", "exact_cameras")
    res = p.searches.search(who["officer"], rid, query("search_in", "exact_cameras", clock))
    assert [r.camera_id for r in res.reads] == ["cam-in"]
    [record] = [r for r in p.searches.access_records() if r["outcome"] == "allowed"]
    assert record["user_id"] == who["officer"].id and record["organisation"] == "City Police"
    assert record["case_number"] == "2026-CR-17" and record["purpose"] == "find the van" and record["results"] == 1
    run = [e for e in map(lambda i: p.ledger.entry(i), range(p.ledger.size())) if e["kind"] == EventKind.SEARCH
           and e["body"]["action"] == "run"]  # type: ignore[index]
    assert run and run[-1]["body"]["approvers"] == [who["head"].label, who["prosecutor"].label]  # type: ignore[index]
    assert all(b"KX7204" not in e for e in p.ledger.entries())


def test_exigent_review_overdue(world: tuple[Platform, dict, ManualClock]) -> None:  # type: ignore[type-arg]
    p, who, clock = world
    rid = make_request(p, who, clock, "exigent", "exact_cameras")
    assert p.searches.search(who["officer"], rid, query("search_in", "exact_cameras", clock)).reads
    clock.advance(timedelta(hours=5))  # authorization expired (4 h)
    with pytest.raises(SearchRefused):
        p.searches.search(who["officer"], rid, query("search_in", "exact_cameras", clock))
    p.searches.review_exigent(rid, who["head"], True, "child was at risk")
    assert p.searches.overdue_reviews() == []  # not overdue yet
    clock.advance(timedelta(hours=20))
    assert [r.id for r in p.searches.overdue_reviews()] == [rid]  # the prosecutor never reviewed
    with pytest.raises(ApprovalRefused):
        p.searches.review_exigent(rid, who["officer"], True, "my own")
    p.searches.review_exigent(rid, who["prosecutor"], True, "justified")
    assert [r.id for r in p.searches.overdue_reviews()] == [rid]  # reviewed, but late: still flagged


def test_bad_requests_change_nothing_but_the_ledger(world: tuple[Platform, dict, ManualClock]) -> None:  # type: ignore[type-arg]
    from platewarden.governance.scope import ScopeError

    p, who, clock = world
    t0 = clock.now()
    good = Scope(("KX7204",), None, None, t0, t0 + timedelta(days=1), ("cam-in",), None, "p", "j")
    bad = [
        ("robbery", Scope((), "KX7", None, t0, t0 + timedelta(days=1), ("cam-in",), None, "p", "j")),  # no reason
        ("robbery", Scope(("KX7204",), None, None, t0, t0 + timedelta(days=400), ("cam-in",), None, "p", "j")),
        ("robbery", Scope(("KX7204",), None, None, t0, t0 + timedelta(days=1), (), None, "p", "j")),  # no place
        ("jaywalking", good), ("robbery", Scope((), None, None, t0, t0 + timedelta(days=1), ("c",), None, "p", "j")),
    ]
    for offence, scope in bad:
        with pytest.raises(ScopeError):
            p.searches.apply(who["officer"], "2026-CR-1", offence, scope)
    with pytest.raises(ScopeError):
        p.searches.apply(who["officer"], "2026-CR-1", "robbery", good, exigent=True)  # not an exigent category
    with pytest.raises(ApprovalRefused):
        p.searches.apply(who["operator"], "2026-CR-1", "robbery", good)
    assert p.searches.all() == []
    assert refusals(p) == 7

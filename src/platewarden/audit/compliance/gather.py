"""Gather: the database (through the Platform) → a Snapshot of aggregates for one period.

This is the only step that needs the database and the keys. It judges nothing (that is ``assess``): it records what
is there, so that the same snapshot can be assessed again by someone who has neither. Keys are used for two counts
only, never to reveal anything: which camera raised each alert (sealed in the alert) and which cameras or area each
authorized search covered (sealed in the request), so that alerts and searches can be counted per area.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from platewarden import __version__
from platewarden.audit.compliance.snapshot import (
    AlertsSection,
    AreaInfo,
    AuthorizationSection,
    BiasSection,
    CheckpointInfo,
    CompensationInfo,
    DayRetention,
    DeploymentSection,
    EntryInfo,
    ExceptionInfo,
    HotlistSection,
    LedgerSection,
    ProposalInfo,
    ReceiptInfo,
    RedressSection,
    RequestInfo,
    RetentionSection,
    SearchRun,
    SegmentInfo,
    Snapshot,
    StepInfo,
    UndisposedInfo,
    ZoneInfo,
)
from platewarden.domain.zones import area_km2
from platewarden.governance.policy_change import policy_digest
from platewarden.ledger.entries import EventKind
from platewarden.ledger.notes import NoteError, SignedNote, Verifier, verify_cosignatures
from platewarden.ledger.verify import verify_log
from platewarden.runtime import Platform
from platewarden.store.schema import (
    alerts,
    approval_steps,
    camera_proposals,
    cameras,
    complaints,
    destroyed_days,
    dispositions,
    hotlist_entries,
    ledger_checkpoints,
    ledger_entries,
    read_counts,
    read_refusals,
    reads,
    road_segments,
    search_log,
    search_requests,
    zone_alerts,
    zone_sightings,
    zones,
)


class PeriodError(ValueError):
    pass


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return datetime.combine(first, time.min, UTC), datetime.combine(last + timedelta(days=1), time.min, UTC)


def gather(p: Platform, first: date, last: date, verify_ledger: bool = True, gathered_by: str = "") -> Snapshot:
    """Everything the assessment needs about the days ``first`` to ``last`` (inclusive). ``verify_ledger=False``
    skips re-verifying the whole ledger (seconds per million entries) where only its checkpoints are shown.
    ``gathered_by`` names the person who gathers it (recorded in the snapshot and the ledger)."""
    if last < first:
        raise PeriodError(f"the period ends ({last}) before it starts ({first})")
    start, end = _bounds(first, last)
    now = p.clock.now()
    with p.engine.connect() as conn:
        cams = {r.id: (r.road_segment, r.status, r.latitude, r.longitude) for r in conn.execute(select(cameras))}
        segments = {r.id: r for r in conn.execute(select(road_segments).order_by(road_segments.c.id))}
        retention = _retention(p, conn, first, last)
        authorization, scope_cameras = _authorization(p, conn, start, end, cams)
        ledger = _ledger(p, conn, start, end, verify_ledger)
        alerts_section, alert_rows = _alerts(conn, start, end)
        facts = p.hotlist.plate_facts()
        hotlist = HotlistSection(entries=[
            EntryInfo(id=r.id, status=r.status, has_source=bool(r.source.strip()), has_reason=bool(r.reason.strip()),
                      approved=bool(r.approved_by), added_at=r.added_at, expires_at=r.expires_at,
                      plate_length=facts[r.id][0] if r.id in facts else None,
                      plate_fits=facts[r.id][1] if r.id in facts else True,
                      duplicate=facts[r.id][2] if r.id in facts else False)
            for r in conn.execute(select(hotlist_entries).order_by(hotlist_entries.c.added_at))])
        deployment = _deployment(conn, start, end, first, last, cams, segments)
        reads_by_camera = Counter({r[0]: int(r[1]) for r in conn.execute(
            select(read_counts.c.camera_id, func.sum(read_counts.c.reads))
            .where(read_counts.c.day >= first, read_counts.c.day <= last).group_by(read_counts.c.camera_id))})
        zone_list = _zones(p, conn, start, end, cams)
        redress = _redress(conn, start, end)
        changes = [json.loads(bytes(r[0]))["body"] for r in conn.execute(
            select(ledger_entries.c.entry).where(ledger_entries.c.kind == EventKind.POLICY_CHANGE.value))]
        approved = sorted({str(b["digest"]) for b in changes if b.get("action") == "approved" and b.get("digest")})
    bias = _bias(cams, segments, reads_by_camera, alert_rows, p.alert_store.cameras_between(start, end),
                 scope_cameras)
    return Snapshot(agency=p.policy.agency, generated_at=now, period_from=first, period_to=last,
                    software_version=__version__, policy=p.policy, retention=retention, authorization=authorization,
                    ledger=ledger, alerts=alerts_section, hotlist=hotlist, deployment=deployment, bias=bias,
                    zones=zone_list, redress=redress, gathered_by=gathered_by,
                    policy_digest=policy_digest(p.policy), approved_policy_digests=approved)


def _retention(p: Platform, conn: Connection, first: date, last: date) -> RetentionSection:
    in_period = (read_counts.c.day >= first) & (read_counts.c.day <= last)
    counted = {r[0]: int(r[1]) for r in conn.execute(select(read_counts.c.day, func.sum(read_counts.c.reads))
                                                     .where(in_period).group_by(read_counts.c.day))}
    stored = {r[0]: int(r[1]) for r in conn.execute(
        select(reads.c.day, func.count()).where(reads.c.day >= first, reads.c.day <= last,
                                                reads.c.key_scope.like("day:%")).group_by(reads.c.day))}
    keyed = {d for d in p.keyring.existing_days() if first <= d <= last}
    receipts = {r.day: r for r in conn.execute(select(destroyed_days).where(destroyed_days.c.day >= first,
                                                                           destroyed_days.c.day <= last))}
    ledgered: dict[str, tuple[int, str]] = {}
    for seq, entry in conn.execute(select(ledger_entries.c.seq, ledger_entries.c.entry)
                                   .where(ledger_entries.c.kind == EventKind.DESTRUCTION.value)):
        body = json.loads(entry)["body"]
        ledgered[str(body["day"])] = (int(seq), str(body["root"]))
    days = []
    for d in sorted(set(counted) | set(stored) | keyed | set(receipts)):
        r = receipts.get(d)
        receipt = None if r is None else ReceiptInfo(
            destroyed_reads=r.destroyed_reads, kept_for_cases=r.kept_for_cases, destroyed_at=r.destroyed_at,
            ledger_seq=r.ledger_seq, ledger_matches=ledgered.get(d.isoformat()) == (r.ledger_seq, bytes(r.root).hex()))
        days.append(DayRetention(day=d, reads_counted=counted.get(d, 0), ordinary_stored=stored.get(d, 0),
                                 key_exists=d in keyed, receipt=receipt))
    all_receipt_days = {r[0] for r in conn.execute(select(destroyed_days.c.day))}
    orphans = sorted(date.fromisoformat(ds) for ds in ledgered
                     if first <= date.fromisoformat(ds) <= last and date.fromisoformat(ds) not in all_receipt_days)
    return RetentionSection(days=days, ledger_receipts_without_record=orphans)


def _authorization(p: Platform, conn: Connection, start: datetime, end: datetime,
                   cams: dict[str, tuple[Any, ...]]) -> tuple[AuthorizationSection, dict[int, set[str]]]:
    runs = list(conn.execute(select(search_log).where(search_log.c.at >= start, search_log.c.at < end,
                                                      search_log.c.outcome == "allowed").order_by(search_log.c.id)))
    refused = {r[0]: int(r[1]) for r in conn.execute(
        select(search_log.c.organisation, func.count()).where(search_log.c.at >= start, search_log.c.at < end,
                                                              search_log.c.outcome == "refused")
        .group_by(search_log.c.organisation))}
    ids = {r.request_id for r in runs if r.request_id} | set(conn.scalars(
        select(search_requests.c.id).where(search_requests.c.requested_at >= start,
                                           search_requests.c.requested_at < end)))
    requests = list(conn.execute(select(search_requests).where(search_requests.c.id.in_(ids))
                                 .order_by(search_requests.c.requested_at)))
    steps: dict[str, list[StepInfo]] = defaultdict(list)
    for s in conn.execute(select(approval_steps).where(approval_steps.c.request_id.in_(ids))
                          .order_by(approval_steps.c.level)):
        steps[s.request_id].append(StepInfo(level=s.level, role=s.role, decision=s.decision,
                                            decided_at=s.decided_at))
    # Which cameras each run's authorization covered (the scope is sealed: opened here only to count per area).
    covered: dict[str, set[str]] = {}
    for rid in {r.request_id for r in runs if r.request_id}:
        try:
            scope = p.searches.get(rid).scope
        except KeyError:
            continue
        found = set(scope.camera_ids)
        if scope.area is not None:
            a = scope.area
            found |= {c for c, (_, _, lat, lon) in cams.items() if a[0] <= lat <= a[2] and a[1] <= lon <= a[3]}
        covered[rid] = found
    section = AuthorizationSection(
        requests=[RequestInfo(id=r.id, offence=r.offence, exigent=r.exigent, status=r.status,
                              requested_at=r.requested_at, steps=steps.get(r.id, [])) for r in requests],
        searches=[SearchRun(log_id=r.id, at=r.at, request_id=r.request_id, results=r.results) for r in runs],
        refused=sum(refused.values()), refused_by_organisation=refused)
    return section, {r.id: covered.get(r.request_id or "", set()) for r in runs}


def _checkpoint(size: int, root: bytes, created: datetime, cos: list[str]) -> CheckpointInfo:
    return CheckpointInfo(size=size, root=root.hex(), created_at=created, cosigners=sorted(cos))


def _ledger(p: Platform, conn: Connection, start: datetime, end: datetime, verify: bool) -> LedgerSection:
    if verify:
        entries = [bytes(r[0]) for r in conn.execute(select(ledger_entries.c.entry).order_by(ledger_entries.c.seq))]
        size = len(entries)
    else:
        entries, size = [], int(conn.execute(select(func.count()).select_from(ledger_entries)).scalar_one())
    cps = p.ledger.checkpoints()
    created = {r.size: (bytes(r.root), r.created_at) for r in conn.execute(select(ledger_checkpoints))}
    notes = [note.rstrip("\n") + "\n" + "".join(line + "\n" for _, _, line in cos) for _, note, cos in cps]
    listed = p.policy.ledger.witnesses
    quorum = p.policy.ledger.quorum if listed else 1
    witnesses: dict[str, Verifier] = {}
    if listed:  # the approved policy names the witnesses: a key a database writer stored vouches for nothing
        witnesses = {key: Verifier.decode(key) for key in listed.values()}
    else:
        for _, _, cos in cps:
            for _name, key, _line in cos:
                try:
                    witnesses[key] = Verifier.decode(key)
                except NoteError:
                    continue  # a stored key that does not parse cannot vouch for anything
    res = verify_log(entries, notes, p.ledger.public_key, list(witnesses.values())) if verify else None
    latest = witnessed = None
    if cps:
        top, _, cos = cps[-1]
        latest = _checkpoint(top, *created[top], [w for w, _, _ in cos])
        for (cp_size, _, cp_cos), full in zip(reversed(cps), reversed(notes), strict=True):
            if len(cp_cos) < quorum:
                continue
            valid = sorted({name for name, _ in verify_cosignatures(SignedNote.parse(full), list(witnesses.values()))})
            if len(valid) >= quorum:
                witnessed = _checkpoint(cp_size, *created[cp_size], valid)
                break
    if res is not None and res.ok and res.latest is not None and latest is not None:
        latest = latest.model_copy(update={"cosigners": res.cosigners})  # only cosignatures that verify
    by_kind = {r[0]: int(r[1]) for r in conn.execute(
        select(ledger_entries.c.kind, func.count()).where(ledger_entries.c.at >= start, ledger_entries.c.at < end)
        .group_by(ledger_entries.c.kind))}
    from platewarden.governance.reconcile import reconcile

    return LedgerSection(verified=verify, ok=res.ok if res else True, problem=res.problem if res else "",
                         first_bad_entry=res.first_bad_entry if res else None, entries=size,
                         checkpoints=len(cps), uncovered=size - (cps[-1][0] if cps else 0), latest=latest,
                         latest_witnessed=witnessed, entries_in_period=by_kind,
                         disagreements=[d.line() for d in reconcile(p)] if verify else [],
                         witness_quorum=quorum, witnesses_from_policy=bool(listed))


def _alerts(conn: Connection, start: datetime, end: datetime) -> tuple[AlertsSection, list[Any]]:
    rows = list(conn.execute(select(alerts.c.id, alerts.c.created_at, dispositions.c.disposition, dispositions.c.at)
                             .outerjoin(dispositions, dispositions.c.alert_id == alerts.c.id)
                             .where(alerts.c.created_at >= start, alerts.c.created_at < end)))
    disp = Counter(r.disposition for r in rows if r.disposition is not None)
    hours = sorted(round((r.at - r.created_at).total_seconds() / 3600, 3) for r in rows
                   if r.disposition is not None)
    waiting = sorted((r for r in rows if r.disposition is None), key=lambda r: r.created_at)
    return AlertsSection(raised=len(rows), dispositions=dict(disp), undisposed=len(waiting),
                         hours_to_disposition=hours,
                         undisposed_alerts=[UndisposedInfo(id=r.id, created_at=r.created_at) for r in waiting]), rows


def _deployment(conn: Connection, start: datetime, end: datetime, first: date, last: date,
                cams: dict[str, tuple[Any, ...]], segments: dict[str, Any]) -> DeploymentSection:
    approved = {c: v for c, v in cams.items() if v[1] == "approved"}
    props = list(conn.execute(select(camera_proposals).order_by(camera_proposals.c.proposed_at)))
    exceptions: dict[str, list[ExceptionInfo]] = defaultdict(list)
    for r in props:
        if r.status == "approved" and (r.density_exception or "").strip():
            exceptions[r.road_segment].append(ExceptionInfo(
                proposal_id=r.id, camera_id=r.camera_id, reason=r.density_exception,
                decided_at=r.decided_at if r.decided_at else None))
    segs = [SegmentInfo(id=s.id, name=s.name, area=s.area, length_km=s.length_km,
                        cameras=sorted(c for c, v in approved.items() if v[0] == s.id),
                        exceptions=exceptions.get(s.id, [])) for s in segments.values()]
    in_period = [r for r in props if start <= r.proposed_at < end
                 or (r.decided_at is not None and start <= r.decided_at < end)]
    refusals = list(conn.execute(select(read_refusals).where(read_refusals.c.day >= first,
                                                             read_refusals.c.day <= last)))
    by_reason: Counter[str] = Counter()
    by_camera: Counter[str] = Counter()
    for r in refusals:
        n = int(r._mapping["count"])  # not r.count: that is the tuple method
        by_reason[r.reason] += n
        by_camera[r.camera_id] += n
    return DeploymentSection(
        segments=segs, cameras_without_segment=sorted(c for c, v in approved.items() if v[0] not in segments),
        proposals=[ProposalInfo(id=r.id, camera_id=r.camera_id, road_segment=r.road_segment, status=r.status,
                                proposed_at=r.proposed_at,
                                decided_at=r.decided_at if r.decided_at else None,
                                density_exception=r.density_exception) for r in in_period],
        refusals_by_reason=dict(by_reason), refusals_by_camera=dict(by_camera))


def _bias(cams: dict[str, tuple[Any, ...]], segments: dict[str, Any], reads_by_camera: Counter[str],
          alert_rows: list[Any], alert_cameras: dict[str, str | None],
          scope_cameras: dict[int, set[str]]) -> BiasSection:
    def area_of(camera: str | None) -> str | None:
        seg = cams.get(camera or "", (None,))[0]
        return segments[seg].area if seg in segments else None

    names = sorted({s.area for s in segments.values()})
    row: dict[str, dict[str, Any]] = {a: Counter() for a in names}
    for s in segments.values():
        row[s.area]["length_km"] += s.length_km
    for seg, status, _, _ in cams.values():
        if status == "approved" and seg in segments:
            row[segments[seg].area]["cameras"] += 1
    no_area_reads = 0
    for c, n in reads_by_camera.items():
        a = area_of(c)
        if a is None:
            no_area_reads += n
        else:
            row[a]["reads"] += n
    no_area_alerts = 0
    for r in alert_rows:
        a = area_of(alert_cameras.get(r.id))
        if a is None:
            no_area_alerts += 1
            continue
        row[a]["alerts"] += 1
        if r.disposition is not None:
            row[a]["judged"] += 1
            row[a]["misreads"] += r.disposition == "misread"
            row[a]["wrong_region"] += r.disposition == "wrong_region"
    no_area_searches = 0
    for covered in scope_cameras.values():
        touched = {a for c in covered if (a := area_of(c)) is not None}
        no_area_searches += not touched
        for a in touched:
            row[a]["searches"] += 1
    return BiasSection(areas=[AreaInfo(area=a, length_km=round(float(row[a]["length_km"]), 6),
                                       **{k: int(row[a][k]) for k in ("cameras", "reads", "alerts", "judged",
                                                                      "misreads", "wrong_region", "searches")})
                              for a in names],
                       reads_without_area=no_area_reads, alerts_without_area=no_area_alerts,
                       searches_without_area=no_area_searches)


def _zones(p: Platform, conn: Connection, start: datetime, end: datetime,
           cams: dict[str, tuple[Any, ...]]) -> list[ZoneInfo]:
    sightings = {r[0]: int(r[1]) for r in conn.execute(
        select(zone_sightings.c.zone_id, func.count()).where(zone_sightings.c.at >= start, zone_sightings.c.at < end)
        .group_by(zone_sightings.c.zone_id))}
    hits = {r[0]: int(r[1]) for r in conn.execute(
        select(zone_alerts.c.zone_id, func.count()).where(zone_alerts.c.created_at >= start,
                                                          zone_alerts.c.created_at < end)
        .group_by(zone_alerts.c.zone_id))}
    approved = [(lat, lon) for _, status, lat, lon in cams.values() if status == "approved"]
    tokens_now = {r[0]: int(r[1]) for r in conn.execute(
        select(zone_sightings.c.zone_id, func.count()).group_by(zone_sightings.c.zone_id))}
    alerts_now = {r[0]: int(r[1]) for r in conn.execute(
        select(zone_alerts.c.zone_id, func.count()).group_by(zone_alerts.c.zone_id))}
    keyed = {r[0] for r in conn.execute(select(zones.c.id).where(zones.c.wrapped_key.is_not(None)))}
    return [ZoneInfo(id=z.id, name=z.name, status=z.status.value, area_km2=round(area_km2(z.polygon), 6),
                     cameras=sum(z.contains(lat, lon) for lat, lon in approved), sightings=sightings.get(z.id, 0),
                     alerts=hits.get(z.id, 0), expires_at=z.expires_at, activated_at=z.activated_at,
                     key_present=z.id in keyed, tokens_stored=tokens_now.get(z.id, 0),
                     alerts_stored=alerts_now.get(z.id, 0)) for z in p.zones.all()]


def _redress(conn: Connection, start: datetime, end: datetime) -> RedressSection:
    rows = list(conn.execute(select(complaints).where(complaints.c.received_at >= start,
                                                      complaints.c.received_at < end)))
    comp: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in rows:
        if r.compensation_amount is not None:
            comp[(r.liable_party or "unknown", r.compensation_currency or "")].append(float(r.compensation_amount))
    return RedressSection(
        by_state=dict(Counter(r.state for r in rows)),
        compensation=[CompensationInfo(liable=k[0], currency=k[1], complaints=len(v), total=round(sum(v), 2))
                      for k, v in sorted(comp.items())],
        suppressed_entries=sum(1 for r in rows if r.suppressed_entry),
        days_to_decision=sorted(round((r.decided_at - r.received_at).total_seconds() / 86400, 3)
                                for r in rows if r.decided_at is not None))

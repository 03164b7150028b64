"""``audit reconcile``: every governed row checked against what only platewarden can produce — its seal (a key from
the master key) and the signed ledger — naming each row that disagrees.

What a database writer without the master key or the log key can do is exactly what this finds: rows inserted or
changed by hand (seal missing or wrong), search requests whose state the signed ledger does not bear out (a revoked
authorization restored from an old copy of its row, an approval that was never recorded), and every other governed
object whose state is not the ledger's last word on it (``ledgered_state``: outlets, sharing agreements, holds,
hotlist entries, zones, cameras, camera keys and accounts' role grants put back from an old, validly sealed copy).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from platewarden.governance.authorization_record import AUTHORIZATION_KINDS, by_request, ledger_disagreement
from platewarden.governance.ledgered_state import LEDGERED, disagreement, ledger_states
from platewarden.ledger.entries import Event, EventKind
from platewarden.ledger.trusted import LedgerTampered, trusted_entries
from platewarden.runtime import Platform
from platewarden.store.schema import approval_steps, metadata, search_requests
from platewarden.store.seals import SEALED_FIELDS, row_holds


@dataclass(frozen=True)
class Disagreement:
    table: str
    key: str
    problem: str

    def line(self) -> str:
        return f"{self.table} {self.key}: {self.problem}"


def reconcile(p: Platform) -> list[Disagreement]:
    seal = p.keyring.record_seal()
    out: list[Disagreement] = []
    genuine_requests: set[str] = set()
    genuine: dict[str, list[dict[str, Any]]] = {spec.table: [] for spec in LEDGERED}
    with p.engine.connect() as conn:
        for name in SEALED_FIELDS:
            table = metadata.tables[name]
            pk = [c.name for c in table.primary_key.columns]
            for row in conn.execute(select(table)):
                m = row._mapping
                key = "/".join(m[c].hex()[:16] if isinstance(m[c], bytes) else str(m[c]) for c in pk)
                if not row_holds(seal, name, row):
                    out.append(Disagreement(name, key, "no seal (written outside platewarden)" if m["seal"] is None
                                            else "seal does not match (changed outside platewarden)"))
                elif name == "search_requests":
                    genuine_requests.add(str(m["id"]))
                elif name in genuine:
                    genuine[name].append(dict(m))
        requests = [r for r in conn.execute(select(search_requests)) if r.id in genuine_requests]
        steps: dict[str, list[tuple[int, str, str]]] = {}
        for s in conn.execute(select(approval_steps)):
            if row_holds(seal, "approval_steps", s):
                steps.setdefault(s.request_id, []).append((s.level, s.role, s.decided_by))
    try:
        # one pass over the signed ledger (each pass re-hashes every leaf against the checkpoint)
        trusted = trusted_entries(p.ledger, sorted({*AUTHORIZATION_KINDS,
                                                    *(kind.value for spec in LEDGERED for kind in spec.kinds)}))
        events = by_request([(seq, e) for seq, e in trusted if e.get("kind") in AUTHORIZATION_KINDS])
    except LedgerTampered as exc:
        return [*out, Disagreement("ledger_entries", "-", str(exc))]
    for spec in LEDGERED:
        states = ledger_states(spec, trusted)
        for fields in genuine[spec.table]:
            why = disagreement(spec, fields, states)
            if why:
                out.append(Disagreement(spec.table, spec.key_of_row(fields), why))

    def label(uid: str) -> str:
        try:
            return p.accounts.get(uid).label
        except KeyError:
            return f"(unknown account {uid})"

    for r in requests:
        why = ledger_disagreement(r.id, r.case_number, r.exigent, r.status, steps.get(r.id, []),
                                  events.get(r.id, []), label)
        if why:
            out.append(Disagreement("search_requests", r.id, why))
    return out


def reconcile_and_record(p: Platform, actor: str) -> list[Disagreement]:
    """``reconcile``, with its outcome ledgered (how many rows disagree, in which tables; never a row's key), so the
    auditor's home and an outside reader see when the check last ran and what it found."""
    found = reconcile(p)
    try:
        p.ledger.append([Event(EventKind.RECONCILE, p.clock.now(), actor, {
            "disagreements": len(found), "tables": sorted({d.table for d in found})})])
    except SQLAlchemyError as exc:  # a ledger too damaged to append to: the check's findings still come out
        found.append(Disagreement("ledger_entries", "-", f"the outcome could not be ledgered: "
                                                         f"{str(exc).splitlines()[0]}"))
    return found


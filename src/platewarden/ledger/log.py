"""The ledger service: append events, issue signed checkpoints, prove inclusion and consistency, take witnesses'
cosignatures, export everything an auditor needs."""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, func, insert, select, text, tuple_
from sqlalchemy.exc import IntegrityError

from platewarden.domain.clock import Clock
from platewarden.ledger.entries import Event, EventKind, encode_entry
from platewarden.ledger.high_water import HighWaterError, HighWaterMark, LedgerCutBack, Mark, extends
from platewarden.ledger.merkle import (
    CompactTree,
    Node,
    NodeSource,
    ProofError,
    consistency_path,
    inclusion_path,
    leaf_hash,
    nodes_needed,
)
from platewarden.ledger.notes import (
    COSIGNATURE_V1,
    Checkpoint,
    NoteError,
    SignedNote,
    Signer,
    Verifier,
    sign_checkpoint,
    verify_cosignatures,
    verify_log_signature,
)
from platewarden.ledger.tiles import TILE_HEIGHT, TILE_WIDTH, TilePathError, parse_tile_path, tile_fits
from platewarden.store.dialect import conflict_insert
from platewarden.store.permissions import private_file
from platewarden.store.schema import (
    ledger_checkpoints,
    ledger_cosignatures,
    ledger_entries,
    ledger_nodes,
    ledger_state,
)

GENESIS_PREV = bytes(32)


@dataclass(frozen=True)
class InclusionProof:
    seq: int
    size: int
    leaf_hash: bytes
    proof: list[bytes]
    checkpoint: str  # the signed note the proof leads to

    def to_json(self) -> dict[str, object]:
        return {"seq": self.seq, "tree_size": self.size, "leaf_hash": self.leaf_hash.hex(),
                "proof": [p.hex() for p in self.proof], "checkpoint": self.checkpoint}


def _pack(frontier: Sequence[bytes]) -> bytes:
    return b"".join(frontier)


def _unpack(blob: bytes) -> list[bytes]:
    return [blob[i: i + 32] for i in range(0, len(blob), 32)]


log = logging.getLogger(__name__)
_SIGNED_KEY = "platewarden_signed_checkpoint"  # in the connection's info: a checkpoint signed, not yet committed
_COMMITTING_KEY = "platewarden_committing_checkpoint"  # its commit under way: the mark rises at the pool's checkin
READ_BATCH_CHECKPOINT_SECONDS = 60.0  # read batches alone: a signed checkpoint at least this often per process


@dataclass(frozen=True)
class LedgerStatus:
    entries: int
    checkpoint_size: int | None
    checkpoint_at: datetime | None
    witnessed_size: int | None  # the largest checkpoint with at least one cosignature
    witnessed_by: int  # how many cosignatures that checkpoint holds (keys not checked here: reconcile does)

    @property
    def unsigned_tail(self) -> int:
        return self.entries - (self.checkpoint_size or 0)


class Ledger:
    def __init__(self, engine: Engine, signer: Signer, clock: Clock, high_water: HighWaterMark | None = None) -> None:
        """``high_water``: where this installation records the largest checkpoint it signed (ledger/high_water.py);
        it rises when the transaction that signed a checkpoint commits, never before."""
        self._engine = engine
        self._signer = signer
        self._clock = clock
        self._last_signed = -1e9  # monotonic time of this process's last inline checkpoint
        self.high_water = high_water
        if high_water is not None:
            event.listen(engine, "commit", self._committing)
            event.listen(engine, "rollback", self._rolled_back)
            event.listen(engine, "handle_error", self._failed)
            event.listen(engine.pool, "checkin", self._checked_in)

    @staticmethod
    def _committing(conn: Connection) -> None:
        """SQLAlchemy calls this just *before* the database commits, so the mark cannot rise here: were the process
        to die before the commit, the mark would be ahead of the database and the next start would take it for a
        cut-back ledger (the crash test caught that). The tree waits for the connection's return to the pool."""
        signed = conn.info.pop(_SIGNED_KEY, None)
        earlier = conn.info.get(_COMMITTING_KEY)
        if signed is not None and (earlier is None or earlier.size < signed.size):
            conn.info[_COMMITTING_KEY] = signed

    def _checked_in(self, _dbapi_connection: object, record: Any) -> None:
        """The connection is back in the pool: its transaction has committed (a failed commit rolls back first,
        which drops the tree), so the mark rises now."""
        committed = record.info.pop(_COMMITTING_KEY, None)
        if committed is not None and self.high_water is not None:
            self.high_water.raise_to(committed)

    def mark(self) -> Mark | None:
        """This installation's high-water mark (None when it keeps none or has signed nothing yet)."""
        return None if self.high_water is None else self.high_water.get()

    @staticmethod
    def _rolled_back(conn: Connection) -> None:
        conn.info.pop(_SIGNED_KEY, None)

    @staticmethod
    def _failed(context: Any) -> None:
        """A database error (a commit that failed among them): a tree whose commit is in doubt never raises the
        mark; the next checkpoint will (a mark behind the ledger is safe, one ahead of it is a false alarm)."""
        if context.connection is not None:
            context.connection.info.pop(_COMMITTING_KEY, None)

    def _signed_in(self, conn: Connection, tree: CompactTree) -> None:
        """Note a checkpoint signed in this transaction: the mark rises when (and only if) it commits."""
        if self.high_water is not None:
            current = conn.info.get(_SIGNED_KEY)
            if current is None or current.size < tree.size:
                conn.info[_SIGNED_KEY] = CompactTree(tree.size, list(tree.frontier))

    def _may_sign(self, conn: Connection, tree: CompactTree) -> bool:
        """Only a tree that extends this installation's high-water mark is signed: a ledger cut back (or rewritten)
        behind the process's back gets no new signature that would launder it."""
        if self.high_water is None:
            return True
        try:
            mark = self.high_water.get()
        except HighWaterError as exc:
            log.error("not signing the ledger: %s", exc)
            return False
        if mark is None:
            return True
        after = conn.scalars(select(ledger_entries.c.leaf_hash).where(
            ledger_entries.c.seq >= mark.size, ledger_entries.c.seq < tree.size).order_by(ledger_entries.c.seq))
        if extends(mark, tree.size, tree.root(), (bytes(h) for h in after)) is None:
            log.error("not signing the ledger: its %d entries do not extend the %d this installation signed or "
                      "verified (platewarden audit reconcile)", tree.size, mark.size)
            return False
        return True

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def origin(self) -> str:
        return self._signer.name

    @property
    def public_key(self) -> Verifier:
        return self._signer.verifier

    def sign(self, data: bytes) -> bytes:
        """The log key's Ed25519 signature over ``data`` (evidence manifests): verifiable with the same public key
        as the checkpoints."""
        return self._signer.private.sign(data)

    def append(self, events: Sequence[Event], conn: Connection | None = None) -> list[int]:
        """Append events in order, atomically; returns their sequence numbers.

        With ``conn``, the append joins the caller's transaction (so that, e.g., stored reads and their ledger
        entry commit together or not at all).
        """
        if not events:
            return []
        if conn is not None:
            return self._append_in(conn, events)
        for _attempt in range(20):
            try:
                with self._engine.begin() as own:
                    return self._append_in(own, events)
            except IntegrityError:  # another writer took the same sequence numbers: reload and retry
                continue
        raise RuntimeError("could not append to the ledger: persistent contention")

    def _append_in(self, conn: Connection, events: Sequence[Event]) -> list[int]:
        if self._engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(724511)"))
        state = conn.execute(select(ledger_state).where(ledger_state.c.id == 1)).first()
        if state is None:
            tree, prev = CompactTree(), GENESIS_PREV
        else:
            tree, prev = CompactTree(state.size, _unpack(state.frontier)), state.last_leaf
        rows, seqs, nodes = [], [], []
        for ev in events:
            seq = tree.size
            data = encode_entry(seq, prev, ev)
            h = leaf_hash(data)
            nodes += [{"level": lv, "idx": ix, "hash": nh} for lv, ix, nh in tree.append(h)]
            rows.append({"seq": seq, "kind": ev.kind.value, "at": ev.at, "leaf_hash": h, "entry": data})
            seqs.append(seq)
            prev = h
        conn.execute(insert(ledger_entries), rows)
        if nodes:  # the perfect subtrees these entries completed: proofs and tiles read them (O(log n))
            conn.execute(insert(ledger_nodes), nodes)
        values = {"size": tree.size, "frontier": _pack(tree.frontier), "last_leaf": prev}
        if state is None:
            conn.execute(insert(ledger_state).values(id=1, **values))
        else:
            upd = ledger_state.update().where(ledger_state.c.id == 1, ledger_state.c.size == state.size)
            if conn.execute(upd.values(**values)).rowcount != 1:
                raise IntegrityError("ledger_state moved", None, Exception("concurrent append"))
        governed = any(ev.kind is not EventKind.READ_BATCH for ev in events)
        if (governed or time.monotonic() - self._last_signed > READ_BATCH_CHECKPOINT_SECONDS) \
                and self._may_sign(conn, tree):
            # No unsigned tail: every governed act is covered by a signed checkpoint in the same transaction, so a
            # database writer cannot rewrite it without the log key (which is not in the database).
            note = sign_checkpoint(Checkpoint(self.origin, tree.size, tree.root()), self._signer)
            conn.execute(conflict_insert(self._engine, ledger_checkpoints).values(
                size=tree.size, root=tree.root(), note=note.render(), created_at=self._clock.now())
                .on_conflict_do_nothing(index_elements=["size"]))
            self._last_signed = time.monotonic()
            self._signed_in(conn, tree)
        return seqs

    def size(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(ledger_entries)).scalar_one())

    def entries(self, start: int = 0, stop: int | None = None) -> list[bytes]:
        q = select(ledger_entries.c.entry).where(ledger_entries.c.seq >= start).order_by(ledger_entries.c.seq)
        if stop is not None:
            q = q.where(ledger_entries.c.seq < stop)
        with self._engine.connect() as conn:
            return [bytes(r[0]) for r in conn.execute(q)]

    def parsed(self, start: int = 0, stop: int | None = None) -> list[tuple[int, dict[str, Any]]]:
        """(seq, entry) for a range, in one query."""
        return [(start + i, json.loads(e)) for i, e in enumerate(self.entries(start, stop))]

    def find(self, kind: str | None = None, since: datetime | None = None, until: datetime | None = None,
             before: int | None = None, limit: int = 100, scan: int = 20_000,
             match: Callable[[dict[str, Any]], bool] | None = None) -> tuple[list[tuple[int, dict[str, Any]]], int]:
        """Newest first: entries of ``kind`` in [since, until) below ``before`` that ``match`` accepts (actor, case:
        fields inside the canonical JSON), at most ``limit``. Kind and time are read from their indexed columns;
        ``match`` sees at most ``scan`` entries, so a filter never reads the whole ledger. Returns the entries and
        the lowest sequence number looked at (where "older" continues)."""
        q = select(ledger_entries.c.seq, ledger_entries.c.entry).order_by(ledger_entries.c.seq.desc()).limit(scan)
        if kind is not None:
            q = q.where(ledger_entries.c.kind == kind)
        if since is not None:
            q = q.where(ledger_entries.c.at >= since)
        if until is not None:
            q = q.where(ledger_entries.c.at < until)
        if before is not None:
            q = q.where(ledger_entries.c.seq < before)
        found: list[tuple[int, dict[str, Any]]] = []
        lowest = before if before is not None else self.size()
        with self._engine.connect() as conn:
            for seq, raw in conn.execute(q):
                lowest = int(seq)
                entry = json.loads(raw)
                if match is None or match(entry):
                    found.append((int(seq), entry))
                    if len(found) == limit:
                        break
        return found, lowest

    def entry(self, seq: int) -> dict[str, object]:
        with self._engine.connect() as conn:
            row = conn.execute(select(ledger_entries.c.entry).where(ledger_entries.c.seq == seq)).first()
        if row is None:
            raise KeyError(f"no ledger entry {seq}")
        parsed: dict[str, object] = json.loads(row[0])
        return parsed

    def tile(self, path: str) -> bytes:
        """The C2SP hash tile at ``path`` (``ledger.tiles``) within the latest checkpoint; TilePathError for a path
        that is no tile of it. Hash k of a level-L tile is the stored node of level 8L that starts the k-th block
        of 256^L leaves: at most 256 reads, at any level."""
        tile = parse_tile_path(path)
        with self._engine.connect() as conn:
            size = int(conn.execute(select(func.coalesce(func.max(ledger_checkpoints.c.size), 0))).scalar_one())
        if not tile_fits(tile, size):
            raise TilePathError(f"{tile.path()} lies beyond the latest checkpoint ({size} entries)")
        level, first = tile.level * TILE_HEIGHT, tile.first_leaf // TILE_WIDTH ** tile.level
        node = self._node_source({(level, first + k) for k in range(tile.width)})
        return b"".join(node(level, first + k) for k in range(tile.width))

    def checkpoint(self) -> SignedNote:
        """Sign the current tree head (or return the existing note for this size)."""
        with self._engine.begin() as conn:
            state = conn.execute(select(ledger_state).where(ledger_state.c.id == 1)).first()
            tree = CompactTree() if state is None else CompactTree(state.size, _unpack(state.frontier))
            existing = conn.execute(select(ledger_checkpoints.c.note)
                                    .where(ledger_checkpoints.c.size == tree.size)).first()
            if existing is not None:
                return SignedNote.parse(existing[0])
            if not self._may_sign(conn, tree):
                raise LedgerCutBack("the ledger does not extend what this installation signed or verified: not "
                                    "signing it (platewarden audit reconcile)")
            note = sign_checkpoint(Checkpoint(self.origin, tree.size, tree.root()), self._signer)
            conn.execute(conflict_insert(self._engine, ledger_checkpoints).values(
                size=tree.size, root=tree.root(), note=note.render(), created_at=self._clock.now())
                .on_conflict_do_nothing(index_elements=["size"]))
            self._signed_in(conn, tree)
        return note

    def checkpoints(self) -> list[tuple[int, str, list[tuple[str, str, str]]]]:
        """(size, note, [(witness, witness key, signature line)]) for every checkpoint, oldest first."""
        with self._engine.connect() as conn:
            cps = list(conn.execute(select(ledger_checkpoints).order_by(ledger_checkpoints.c.size)))
            cos = list(conn.execute(select(ledger_cosignatures)))
        return [(c.size, c.note, [(s.witness, s.witness_key, s.signature_line) for s in cos if s.size == c.size])
                for c in cps]

    def latest_note(self) -> str:
        """The latest checkpoint with every cosignature received, as one signed note."""
        cps = self.checkpoints()
        if not cps:
            return self.checkpoint().render()
        _size, note, cos = cps[-1]
        return note.rstrip("\n") + "\n" + "".join(line + "\n" for _, _, line in cos)

    def prove(self, seq: int) -> InclusionProof:
        """Inclusion of entry ``seq`` in the latest checkpoint (a new one is signed if none covers it)."""
        cps = self.checkpoints()
        if not cps or cps[-1][0] <= seq:
            self.checkpoint()
            cps = self.checkpoints()
        size = cps[-1][0]
        if seq >= size or seq < 0:
            raise KeyError(f"no ledger entry {seq}")
        node = self._node_source(nodes_needed(lambda n: (n(0, seq), inclusion_path(seq, size, n))))
        return InclusionProof(seq, size, node(0, seq), inclusion_path(seq, size, node), self.latest_note())

    def consistency(self, old_size: int, new_size: int) -> list[bytes]:
        """PROOF(old_size, new_size), read from O(log n) stored nodes."""
        node = self._node_source(nodes_needed(lambda n: consistency_path(old_size, new_size, n)))
        return consistency_path(old_size, new_size, node)

    def _node_source(self, wanted: set[Node]) -> NodeSource:
        """The stored hashes of ``wanted`` (leaves from the entries, higher levels from ledger_nodes), in two
        queries; a missing one is an error, never a guess."""
        leaves = sorted(ix for lv, ix in wanted if lv == 0)
        inner = [(lv, ix) for lv, ix in wanted if lv > 0]
        found: dict[Node, bytes] = {}
        with self._engine.connect() as conn:
            if leaves:
                found |= {(0, int(r.seq)): bytes(r.leaf_hash) for r in conn.execute(
                    select(ledger_entries.c.seq, ledger_entries.c.leaf_hash).where(ledger_entries.c.seq.in_(leaves)))}
            if inner:
                found |= {(int(r.level), int(r.idx)): bytes(r.hash) for r in conn.execute(
                    select(ledger_nodes).where(tuple_(ledger_nodes.c.level, ledger_nodes.c.idx).in_(inner)))}

        def node(level: int, index: int) -> bytes:
            try:
                return found[(level, index)]
            except KeyError:
                raise ProofError(f"the ledger has no stored node {level}/{index}") from None

        return node

    def status(self) -> LedgerStatus:
        """What an auditor's home page shows: entries, the latest checkpoint and the latest one a witness cosigned
        (a few indexed queries, whatever the ledger's length)."""
        with self._engine.connect() as conn:
            size = int(conn.execute(select(func.count()).select_from(ledger_entries)).scalar_one())
            latest = conn.execute(select(ledger_checkpoints.c.size, ledger_checkpoints.c.created_at)
                                  .order_by(ledger_checkpoints.c.size.desc()).limit(1)).first()
            witnessed = conn.execute(select(ledger_cosignatures.c.size, func.count())
                                     .group_by(ledger_cosignatures.c.size)
                                     .order_by(ledger_cosignatures.c.size.desc()).limit(1)).first()
        return LedgerStatus(size, None if latest is None else int(latest.size),
                            None if latest is None else latest.created_at,
                            None if witnessed is None else int(witnessed[0]),
                            0 if witnessed is None else int(witnessed[1]))

    def cosigned_size(self, witness: Verifier) -> int:
        """The largest checkpoint size ``witness`` (this very key) cosigned, 0 if none: where a tlog-witness request
        to it starts. A stale or forged answer costs one 409 round trip, never a wrong cosignature."""
        with self._engine.connect() as conn:
            size = conn.execute(select(func.max(ledger_cosignatures.c.size)).where(
                ledger_cosignatures.c.witness == witness.name,
                ledger_cosignatures.c.witness_key == witness.encode())).scalar()
        return int(size or 0)

    def checkpoint_note(self, size: int) -> str:
        """The log-signed note of the checkpoint of ``size``, without cosignatures (what a witness is sent)."""
        with self._engine.connect() as conn:
            note = conn.execute(select(ledger_checkpoints.c.note).where(ledger_checkpoints.c.size == size)).scalar()
        if note is None:
            raise KeyError(f"no checkpoint of size {size}")
        return str(note)

    def add_cosignature(self, cosigned_note: str, witness: Verifier, now: datetime) -> int:
        """Store a witness's cosignature of one of our checkpoints; returns its size."""
        note = SignedNote.parse(cosigned_note)
        cp = verify_log_signature(note, self.public_key)
        if witness.key_type != COSIGNATURE_V1 or not verify_cosignatures(note, [witness]):
            raise NoteError(f"no valid cosignature by {witness.name!r} on this checkpoint")
        with self._engine.connect() as conn:
            ours = conn.execute(select(ledger_checkpoints.c.root).where(ledger_checkpoints.c.size == cp.size)).first()
        if ours is None or bytes(ours[0]) != cp.root:
            raise NoteError("the cosigned checkpoint is not one this log issued")
        line = next(f"\u2014 {n} {base64.b64encode(b).decode()}" for n, b in note.signatures
                    if n == witness.name)
        with self._engine.begin() as conn:
            stored = conn.execute(select(ledger_cosignatures.c.witness_key).where(
                ledger_cosignatures.c.size == cp.size, ledger_cosignatures.c.witness == witness.name)).first()
            if stored is not None and stored[0] != witness.encode():
                # the table is append-only, so the slot stays taken: say so loudly rather than keep quiet
                raise NoteError(f"checkpoint {cp.size} already holds a cosignature under {witness.name!r} with another "
                                "key: it was not stored through platewarden; a witness cosigns the next checkpoint")
            conn.execute(conflict_insert(self._engine, ledger_cosignatures).values(
                size=cp.size, witness=witness.name, witness_key=witness.encode(), signature_line=line, added_at=now)
                .on_conflict_do_nothing(index_elements=["size", "witness"]))
        return cp.size

    def export(self, folder: Path) -> int:
        """Write entries, checkpoints (with cosignatures) and public keys for offline verification."""
        self.checkpoint()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "checkpoints").mkdir(exist_ok=True)
        (folder / "keys" / "witnesses").mkdir(parents=True, exist_ok=True)
        entries = self.entries()
        with private_file(folder / "entries.jsonl") as f:  # actors, cases and plate references: this account only
            for e in entries:
                f.write(e + b"\n")
        witnesses: dict[str, str] = {}
        for size, note, cos in self.checkpoints():
            full = note.rstrip("\n") + "\n" + "".join(line + "\n" for _, _, line in cos)
            (folder / "checkpoints" / f"{size:012d}.note").write_text(full, encoding="utf-8")
            witnesses.update({w: k for w, k, _ in cos})
        (folder / "keys" / "log.vkey").write_text(self.public_key.encode() + "\n")
        for name, key in witnesses.items():
            safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
            (folder / "keys" / "witnesses" / f"{safe}.vkey").write_text(key + "\n")
        (folder / "README.txt").write_text(
            "platewarden ledger export\n\nentries.jsonl: one canonical-JSON (RFC 8785) entry per line, in order; "
            "leaf hash = SHA-256(0x00 || line bytes).\ncheckpoints/: C2SP signed notes (tlog-checkpoint) with "
            "cosignatures (tlog-cosignature).\nkeys/log.vkey: the log's Ed25519 verifier key; keys/witnesses/: the "
            "witnesses' keys.\n\nVerify offline with: platewarden ledger verify THIS_FOLDER\n")
        return len(entries)

"""The edge's outbox: every read waits here, sealed, until the central store confirms it (a receipt).

Why: a broker or network outage, or a crash of the edge process, must lose no read. A read is committed here
(SQLite, synchronous=FULL) before it is published; the broker's PUBACK marks it sent, and only the central's receipt
(published after its commit) deletes it. A read sent but without a receipt after a while is published again, and
after a restart everything left is; the central store's idempotent insert makes the repeats harmless. Messages hold
plates and crops, so they are sealed (AES-256-GCM) under the edge's own key file, like everything else at rest.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from platewarden.store.cipher import seal, unseal
from platewarden.store.master_key import MasterKeyError, load_or_create_master_key


class OutboxError(Exception):
    """The outbox cannot be opened (its key does not load)."""


class Outbox:
    @classmethod
    def open_for(cls, edge_dir: Path, camera_id: str) -> Outbox:
        """The camera's outbox in the edge's own folder, under the edge's own key (created 0600 on first use, never
        taken from the environment): the camera's data, not the central's."""
        try:
            key = load_or_create_master_key(edge_dir / "edge.key", environ={})
        except MasterKeyError as exc:
            raise OutboxError(str(exc)) from exc
        return cls(edge_dir / f"outbox-{camera_id}.db", key)

    def __init__(self, path: Path, key: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._key = key
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # an acknowledged put survives power loss
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.execute("CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
                         "read_id TEXT NOT NULL UNIQUE, topic TEXT NOT NULL, sealed BLOB NOT NULL, sent_at REAL)")

    def _aad(self, read_id: str) -> bytes:
        return f"edge-outbox|{read_id}".encode()

    def put(self, items: list[tuple[str, str, bytes]]) -> None:
        """(read id, topic, message) triples, committed together; a read already waiting is kept once."""
        with self._lock:
            self._db.executemany("INSERT OR IGNORE INTO outbox (read_id, topic, sealed) VALUES (?, ?, ?)",
                                 [(rid, topic, seal(self._key, msg, self._aad(rid))) for rid, topic, msg in items])

    def peek(self, limit: int, skip: set[int], resend_before: float = float("-inf")
             ) -> list[tuple[int, str, bytes]]:
        """The oldest messages to publish (seq, topic, message): never sent, or sent before ``resend_before``
        without a receipt; leaving out those in ``skip`` (in flight)."""
        with self._lock:
            rows = self._db.execute("SELECT seq, read_id, topic, sealed FROM outbox WHERE sent_at IS NULL OR "
                                    "sent_at < ? ORDER BY seq LIMIT ?", (resend_before, limit + len(skip))).fetchall()
        return [(seq, topic, unseal(self._key, blob, self._aad(rid))) for seq, rid, topic, blob in rows
                if seq not in skip][:limit]

    def sent(self, seqs: list[int], at: float) -> None:
        """The broker acknowledged these (PUBACK): wait for their receipt."""
        if seqs:
            with self._lock:
                self._db.executemany("UPDATE outbox SET sent_at = ? WHERE seq = ?", [(at, s) for s in seqs])

    def delete(self, seqs: list[int]) -> None:
        if seqs:
            with self._lock:
                self._db.executemany("DELETE FROM outbox WHERE seq = ?", [(s,) for s in seqs])

    def confirm(self, read_ids: list[str]) -> int:
        """The central committed (or refused for good) these reads: forget them. Returns how many were here."""
        if not read_ids:
            return 0
        with self._lock:
            before = self._db.total_changes
            self._db.executemany("DELETE FROM outbox WHERE read_id = ?", [(r,) for r in read_ids])
            return int(self._db.total_changes - before)

    def unsent(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0])

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

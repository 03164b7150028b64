"""A witness, run by an outside party (prosecutor's office, auditor) with its own key and its own state.

It cosigns a checkpoint only if the log signed it and it is consistent with the last checkpoint this witness
cosigned (a consistency proof is checked); then it records the new checkpoint as its state. It never signs two
inconsistent checkpoints, so a log that rewrites history loses its witnesses.

Two ways in, one set of checks: :class:`Witness` speaks C2SP tlog-witness (``add-checkpoint``: the request names the
size the log believes the witness is at, the witness answers 409 with its real size when the log is wrong), and
:func:`witness_cosign` is the offline form the CLI's ``ledger cosign`` uses with a single state file.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from platewarden.ledger.merkle import ProofError, verify_consistency
from platewarden.ledger.notes import (
    COSIGNATURE_V1,
    DASH,
    Checkpoint,
    NoteError,
    SignedNote,
    Signer,
    Verifier,
    cosign,
    verify_log_signature,
)

MAX_PROOF_LINES = 63  # tlog-witness: a consistency proof of a tree below 2^64 has at most 63 hashes
SIZE_CONTENT_TYPE = "text/x.tlog.size"
_OLD_LINE = re.compile(r"old (0|[1-9][0-9]{0,19})")


class WitnessRefusal(ValueError):
    """Why a checkpoint was not cosigned, with the HTTP status tlog-witness gives it; ``known_size`` is set when the
    log named the wrong previous size (409) so that it can retry with the right consistency proof."""

    def __init__(self, message: str, status: int = 422, known_size: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.known_size = known_size


@dataclass
class WitnessState:
    origin: str
    size: int
    root: bytes

    @classmethod
    def load(cls, path: Path) -> WitnessState | None:
        if not path.exists():
            return None
        d = json.loads(path.read_text())
        return cls(d["origin"], d["size"], bytes.fromhex(d["root"]))

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"origin": self.origin, "size": self.size, "root": self.root.hex()}))
        os.replace(tmp, path)  # atomic: the state is either the old or the new checkpoint


@dataclass(frozen=True)
class AddCheckpoint:
    """The body of a tlog-witness ``add-checkpoint`` request: the size the log thinks the witness last cosigned, a
    consistency proof from it, and the checkpoint note."""

    old_size: int
    proof: tuple[bytes, ...]
    note_text: str

    def render(self) -> bytes:
        proof = "".join(base64.b64encode(h).decode() + "\n" for h in self.proof)
        return f"old {self.old_size}\n{proof}\n{self.note_text}".encode()

    @classmethod
    def parse(cls, body: bytes) -> AddCheckpoint:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise WitnessRefusal("the request is not UTF-8", 400) from None
        first, sep, rest = text.partition("\n")
        match = _OLD_LINE.fullmatch(first)
        if not sep or match is None:
            raise WitnessRefusal("the request must start with a line 'old N'", 400)
        proof: list[bytes] = []
        while True:
            line, sep, rest = rest.partition("\n")
            if not sep:
                raise WitnessRefusal("the consistency proof must end with an empty line before the checkpoint", 400)
            if line == "":
                break
            if len(proof) == MAX_PROOF_LINES:
                raise WitnessRefusal(f"a consistency proof has at most {MAX_PROOF_LINES} hashes", 400)
            try:
                digest = base64.b64decode(line, validate=True)
            except ValueError:
                digest = b""
            if len(digest) != 32:
                raise WitnessRefusal("each proof line must be one base64 SHA-256 hash", 400)
            proof.append(digest)
        return cls(int(match.group(1)), tuple(proof), rest)


def _check_extension(state: WitnessState | None, old_size: int, cp: Checkpoint, proof: Iterable[bytes]) -> None:
    """Raise WitnessRefusal unless ``cp`` extends ``state`` (the last checkpoint cosigned) by ``proof``."""
    proof = list(proof)
    known = 0 if state is None else state.size
    if old_size > cp.size:
        raise WitnessRefusal(f"old size {old_size} is larger than the checkpoint's size {cp.size}", 400)
    if old_size != known:
        raise WitnessRefusal(f"this witness last cosigned size {known}, not {old_size}", 409, known_size=known)
    if state is None or old_size == 0:
        if proof:
            raise WitnessRefusal("from size 0 the consistency proof must be empty")
        return
    if old_size == cp.size:
        if cp.root != state.root:
            raise WitnessRefusal(f"a checkpoint of size {cp.size} with another root than the one this witness "
                                 "cosigned: the log forked", 409)
        if proof:
            raise WitnessRefusal("between equal sizes the consistency proof must be empty")
        return
    try:
        verify_consistency(old_size, cp.size, state.root, cp.root, proof)
    except ProofError as exc:
        raise WitnessRefusal(f"checkpoint of size {cp.size} is not consistent with the one of size {old_size} this "
                             f"witness cosigned: {exc}") from exc


def _signature_line(note: SignedNote, name: str) -> str:
    blob = next(b for n, b in reversed(note.signatures) if n == name)
    return f"{DASH} {name} {base64.b64encode(blob).decode()}\n"


class Witness:
    """The witness's side of C2SP tlog-witness for the logs it follows (origin = the log key's name), one state file
    a log in ``state_dir``. Check and state update happen under one lock (threads and processes alike), so two
    requests can never both be cosigned from the same previous size."""

    def __init__(self, signer: Signer, logs: Iterable[Verifier], state_dir: Path,
                 clock: Callable[[], float] = time.time) -> None:
        if signer.key_type != COSIGNATURE_V1:
            raise ValueError("the witness key must be a cosignature/v1 key")
        self.signer = signer
        self.logs = {key.name: key for key in logs}
        self.state_dir = state_dir
        self._clock = clock
        self._lock = threading.Lock()
        state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    def state_path(self, origin: str) -> Path:
        return self.state_dir / f"{hashlib.sha256(origin.encode()).hexdigest()[:32]}.json"

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        with self._lock, open(self.state_dir / "lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def add_checkpoint(self, request: AddCheckpoint) -> str:
        """Cosign the request's checkpoint and return the cosignature line(s); WitnessRefusal otherwise."""
        try:
            note = SignedNote.parse(request.note_text)
            origin = Checkpoint.parse(note.text).origin
        except NoteError as exc:
            raise WitnessRefusal(f"not a checkpoint note: {exc}", 400) from exc
        log_key = self.logs.get(origin)
        if log_key is None:
            raise WitnessRefusal(f"this witness follows no log named {origin!r}", 404)
        try:
            cp = verify_log_signature(note, log_key)
        except NoteError as exc:
            raise WitnessRefusal(str(exc), 403) from exc
        with self._exclusive():
            path = self.state_path(origin)
            state = WitnessState.load(path)
            if state is not None and state.origin != origin:
                raise WitnessRefusal("the witness's state file belongs to another log", 500)
            _check_extension(state, request.old_size, cp, request.proof)
            signed = cosign(note, self.signer, int(self._clock()))
            WitnessState(origin, cp.size, cp.root).save(path)
        return _signature_line(signed, self.signer.name)

    def handle(self, body: bytes) -> tuple[int, str, str]:
        """One HTTP exchange, transport-free: (status, body, content type)."""
        try:
            return 200, self.add_checkpoint(AddCheckpoint.parse(body)), "text/plain; charset=utf-8"
        except WitnessRefusal as exc:
            if exc.known_size is not None:
                return exc.status, f"{exc.known_size}\n", SIZE_CONTENT_TYPE
            return exc.status, f"{exc}\n", "text/plain; charset=utf-8"


def witness_cosign(note_text: str, proof: list[bytes], log_key: Verifier, witness: Signer, state_path: Path,
                   now: int | None = None) -> str:
    """Cosign ``note_text`` or raise WitnessRefusal; persists the new state only after every check passed."""
    if witness.key_type != COSIGNATURE_V1:
        raise WitnessRefusal("the witness key must be a cosignature/v1 key")
    try:
        note = SignedNote.parse(note_text)
        cp = verify_log_signature(note, log_key)
    except NoteError as exc:
        raise WitnessRefusal(f"not a checkpoint signed by {log_key.name}: {exc}") from exc
    if cp.origin != log_key.name:  # even a witness with no state yet follows one log, named by its key
        raise WitnessRefusal(f"the checkpoint's origin {cp.origin!r} is not the log key's name {log_key.name!r}")
    old = WitnessState.load(state_path)
    if old is not None:
        if old.origin != cp.origin:
            raise WitnessRefusal(f"this witness follows {old.origin!r}, not {cp.origin!r}")
        if cp.size < old.size:
            raise WitnessRefusal(f"stale checkpoint: size {cp.size} is older than the {old.size} already cosigned")
        _check_extension(old, old.size, cp, proof)
    signed = cosign(note, witness, int(now if now is not None else time.time()))
    WitnessState(cp.origin, cp.size, cp.root).save(state_path)
    return signed.render()


def checkpoint_of(note_text: str) -> Checkpoint:
    return Checkpoint.parse(SignedNote.parse(note_text).text)

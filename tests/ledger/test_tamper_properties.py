"""Property-based: over more than 10,000 generated cases, every byte flip, deletion, reordering, truncation, forged
or rolled-back checkpoint and fork of a ledger export is detected by the offline verifier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platewarden.ledger.entries import Event, EventKind, digest, encode_entry
from platewarden.ledger.log import GENESIS_PREV
from platewarden.ledger.merkle import CompactTree, leaf_hash
from platewarden.ledger.notes import COSIGNATURE_V1, Checkpoint, Signer, cosign, sign_checkpoint
from platewarden.ledger.verify import verify_log

LOG = Signer.generate("test.platewarden/ledger")
OTHER = Signer.generate("test.platewarden/ledger")  # same name, different key: a forger
WITNESS = Signer.generate("witness.example", COSIGNATURE_V1)
T0 = datetime(2026, 11, 2, tzinfo=UTC)
CASES = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@lru_cache(maxsize=64)
def build(n: int, variant: int = 0) -> tuple[tuple[bytes, ...], tuple[str, ...]]:
    """A log of n entries with checkpoints at every 4th size and at the end (cosigned)."""
    entries, notes, prev, tree = [], [], GENESIS_PREV, CompactTree()
    for i in range(n):
        e = Event(EventKind.SEARCH, T0 + timedelta(seconds=i), f"officer{variant}",
                  {"case": f"2026-{variant:04d}", "count": i, "results_digest": digest(f"{variant}-{i}")})
        data = encode_entry(i, prev, e)
        entries.append(data)
        prev = leaf_hash(data)
        tree.append(prev)
        if tree.size % 4 == 0 or tree.size == n:
            note = sign_checkpoint(Checkpoint(LOG.name, tree.size, tree.root()), LOG)
            if tree.size == n:
                note = cosign(note, WITNESS, 1700000000)
            notes.append(note.render())
    return tuple(entries), tuple(notes)


def check(entries: list[bytes], notes: list[str], **kw: object) -> bool:
    return verify_log(entries, notes, LOG.verifier, [WITNESS.verifier], **kw).ok  # type: ignore[arg-type]


sizes = st.integers(min_value=1, max_value=24)


@CASES
@given(sizes, st.data())
def test_intact_logs_verify(n: int, data: st.DataObject) -> None:
    entries, notes = build(n)
    assert check(list(entries), list(notes), quorum=1)


@CASES
@given(sizes, st.data())
def test_any_bit_flip_is_detected(n: int, data: st.DataObject) -> None:
    entries, notes = map(list, build(n))
    i = data.draw(st.integers(0, n - 1))
    pos = data.draw(st.integers(0, len(entries[i]) - 1))
    bit = data.draw(st.integers(0, 7))
    b = bytearray(entries[i])
    b[pos] ^= 1 << bit
    entries[i] = bytes(b)
    assert not check(entries, notes)


@CASES
@given(sizes, st.data())
def test_any_deletion_is_detected(n: int, data: st.DataObject) -> None:
    entries, notes = map(list, build(n))
    del entries[data.draw(st.integers(0, n - 1))]
    assert not check(entries, notes)


@CASES
@given(st.integers(2, 24), st.data())
def test_any_reordering_is_detected(n: int, data: st.DataObject) -> None:
    entries, notes = map(list, build(n))
    i, j = data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
    entries[i], entries[j] = entries[j], entries[i]
    assert not check(entries, notes)


@CASES
@given(sizes, st.data())
def test_any_truncation_is_detected(n: int, data: st.DataObject) -> None:
    entries, notes = map(list, build(n))
    k = data.draw(st.integers(1, n))
    assert not check(entries[: n - k], notes)


@CASES
@given(sizes, st.data())
def test_forged_checkpoints_are_detected(n: int, data: st.DataObject) -> None:
    entries, notes = map(list, build(n))
    how = data.draw(st.sampled_from(["other key", "flip signature", "change size", "change root"]))
    tree = CompactTree()
    for e in entries:
        tree.append(leaf_hash(e))
    if how == "other key":
        notes.append(sign_checkpoint(Checkpoint(LOG.name, n, tree.root()), OTHER).render())
    else:
        k = data.draw(st.integers(0, len(notes) - 1))
        text = notes[k]
        body, _, sigs = text.partition("\n\n")
        lines = body.split("\n")
        if how == "flip signature":  # the log's own signature (the first line); a bad cosignature only lacks weight
            first, _, rest = sigs.partition("\n")
            m = len(first) - data.draw(st.integers(8, 60))
            first = first[:m] + ("A" if first[m] != "A" else "B") + first[m + 1:]
            sigs = first + "\n" + rest
        elif how == "change size":
            lines[1] = str(int(lines[1]) + data.draw(st.integers(1, 5)))
        else:
            import base64

            root = bytearray(base64.b64decode(lines[2]))
            root[data.draw(st.integers(0, 31))] ^= 1
            lines[2] = base64.b64encode(bytes(root)).decode()
        notes[k] = "\n".join(lines) + "\n\n" + sigs
    assert not check(entries, notes)


@CASES
@given(st.integers(2, 24), st.data())
def test_rollback_and_fork_are_detected(n: int, data: st.DataObject) -> None:
    entries, notes = map(list, build(n))
    from platewarden.ledger.notes import SignedNote, verify_log_signature

    trusted = verify_log_signature(SignedNote.parse(notes[-1]), LOG.verifier)
    if data.draw(st.booleans()):
        # rollback: an export that stops at an older checkpoint
        k = data.draw(st.integers(0, len(notes) - 2)) if len(notes) > 1 else None
        old_notes = notes[: k + 1] if k is not None else []
        size = verify_log_signature(SignedNote.parse(old_notes[-1]), LOG.verifier).size if old_notes else 0
        assert not check(entries[:size], old_notes, trusted=trusted)
    else:
        # fork: a different history of the same size, signed by the real key
        fork_entries, fork_notes = build(n, variant=1)
        assert not check(list(fork_entries), list(fork_notes), trusted=trusted)
        assert not check(entries, [*notes, fork_notes[-1]])  # two roots for one size

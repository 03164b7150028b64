"""Fusion on generated sequences with misreads in some frames."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from platewarden.domain.observations import Alternative, Box
from platewarden.fusion.fuser import Fuser, TimedObservation
from platewarden.fusion.vote import vote
from tests.factories import CAMERA, observation

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def corrupt(text: str, rng: random.Random) -> str:
    i = rng.randrange(len(text))
    return text[:i] + rng.choice("0O8B5S") + text[i + 1:]


def test_one_vehicle_many_frames_one_read() -> None:
    rng = random.Random(1)
    fuser = Fuser(CAMERA, gap_seconds=1.0)
    reads = []
    for f in range(12):  # 12 frames, 4 of them misread
        text = corrupt("7ABC123", rng) if f % 3 == 1 else "7ABC123"
        at = T0 + timedelta(seconds=0.1 * f)
        reads += fuser.push(at, [TimedObservation(at, observation(text, 0.8))])
    reads += fuser.flush()
    assert len(reads) == 1
    r = reads[0]
    assert r.text == "7ABC123"
    assert r.observations == 12
    assert r.agreeing >= 8
    assert r.first_seen == T0 and r.last_seen == T0 + timedelta(seconds=1.1)


def test_two_vehicles_in_sequence_and_in_parallel() -> None:
    fuser = Fuser(CAMERA, gap_seconds=1.0)
    reads = []
    for f in range(10):
        at = T0 + timedelta(seconds=0.1 * f)
        reads += fuser.push(at, [TimedObservation(at, observation("AAA111", box=Box(0, 0, 100, 30))),
                                 TimedObservation(at, observation("ZZZ999", box=Box(500, 0, 100, 30)))])
    later = T0 + timedelta(seconds=5)
    reads += fuser.push(later, [TimedObservation(later, observation("AAA111"))])
    assert sorted(r.text for r in reads) == ["AAA111", "ZZZ999"]  # closed by the gap
    reads += fuser.flush()
    assert [r.text for r in reads].count("AAA111") == 2  # seen again after the gap: a new read
    assert len({r.id for r in reads}) == 3


def test_garbled_frame_joins_by_box_overlap() -> None:
    fuser = Fuser(CAMERA, gap_seconds=1.0)
    box = Box(200, 300, 120, 40)
    for f, text in enumerate(["KX7204", "KX7204", "H##", "KX7204"]):
        at = T0 + timedelta(seconds=0.1 * f)
        fuser.push(at, [TimedObservation(at, observation(text.replace("#", "Q"), 0.9, box))])
    reads = fuser.flush()
    assert len(reads) == 1 and reads[0].text == "KX7204" and reads[0].observations == 4


def test_vote_keeps_uncertainty_visible() -> None:
    v = vote([observation("ABC123", 0.9), observation("ABC128", 0.9), observation("ABC123", 0.9)])
    assert v.text == "ABC123"
    assert v.chars[5].confidence < v.chars[0].confidence
    assert v.alternatives[0].text == "ABC128"
    assert v.agreeing == 2


def test_read_ids_are_deterministic() -> None:
    def run() -> list[str]:
        f = Fuser(CAMERA)
        for k in range(3):
            at = T0 + timedelta(seconds=0.1 * k)
            f.push(at, [TimedObservation(at, observation("SAME123"))])
        return [r.id for r in f.flush()]

    assert run() == run()


def test_a_reads_confidence_is_never_below_an_alternatives() -> None:
    """Frames split 3 : 2 between two whole readings, each frame offering the other as its alternative: the fused
    reading is the better supported one and its confidence tops every alternative's (one scale for all)."""
    rng = random.Random(4)
    frames = []
    for f in range(5):
        text, other = ("5SOW350", "5SOW750") if f % 5 < 3 else ("5SOW750", "5SOW350")
        obs = observation(text, 0.6 + 0.1 * rng.random())
        frames.append(replace(obs, alternatives=(Alternative(other, 0.3),)))
    v = vote(frames)
    assert v.text == "5SOW350" and v.agreeing == 3
    assert all(a.confidence <= v.confidence for a in v.alternatives)
    assert v.alternatives[0].text == "5SOW750"
    assert 0 < v.confidence < 0.7  # the mean over frames, not the surest frame's

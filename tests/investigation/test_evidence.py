"""Evidence packages: exported for a case, verified offline; every kind of tampering detected; still provable
after the rest of the read's day was destroyed."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from platewarden.domain.clock import ManualClock
from platewarden.investigation.evidence import EvidenceError, verify_package
from platewarden.ledger.notes import Signer
from platewarden.runtime import Platform
from tests.factories import CAMERA, approve_camera, make_read, people


def rezip(data: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    src = zipfile.ZipFile(io.BytesIO(data))
    files = {n: src.read(n) for n in src.namelist()}
    change(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n, b in files.items():
            z.writestr(n, b)
    return out.getvalue()


@pytest.fixture
def package(platform: Platform, clock: ManualClock, tmp_path: Path) -> tuple[bytes, Platform, list[str]]:
    who = people(platform)
    approve_camera(platform, CAMERA, who)
    writer = platform.read_writer("ev")
    reads = [make_read(f"EV{i:04d}", clock.now() + timedelta(minutes=i), n=i) for i in range(6)]
    writer.write(reads)
    held = [reads[1].id, reads[4].id]
    platform.retention.hold(who["officer"], who["head"], "2026-CR-3", held, "trial")
    with pytest.raises(PermissionError):
        platform.evidence.export(who["operator"], "2026-CR-3", tmp_path / "x.zip")
    with pytest.raises(PermissionError):  # an officer the case's holds do not name
        platform.evidence.export(who["officer2"], "2026-CR-3", tmp_path / "x.zip")
    with pytest.raises(EvidenceError):
        platform.evidence.export(who["prosecutor"], "2026-CR-404", tmp_path / "x.zip")
    (tmp_path / "e.zip").write_bytes(b"an older file anyone could read")
    (tmp_path / "e.zip").chmod(0o644)
    old_umask = os.umask(0o022)
    try:
        assert platform.evidence.export(who["officer"], "2026-CR-3", tmp_path / "e.zip") == 2
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "e.zip").stat().st_mode) == 0o600  # plaintext plates: this account only
    return (tmp_path / "e.zip").read_bytes(), platform, held


def test_intact_package_verifies(package: tuple[bytes, Platform, list[str]]) -> None:
    data, p, _ = package
    rep = verify_package(data, p.ledger.public_key)
    assert rep.ok, rep.problems
    assert rep.reads == 2 and rep.case == "2026-CR-3"
    assert not verify_package(data, Signer.generate(p.ledger.origin).verifier).ok  # another key


@pytest.mark.parametrize("kind", ["change_crop", "change_read", "add_file", "remove_file", "change_manifest"])
def test_tampering_is_detected(package: tuple[bytes, Platform, list[str]], kind: str) -> None:
    data, p, held = package

    def change(files: dict[str, bytes]) -> None:
        if kind == "change_crop":
            files[f"crops/{held[0]}.jpg"] = files[f"crops/{held[0]}.jpg"][:-1] + b"\x00"
        elif kind == "change_read":
            files[f"reads/{held[0]}.json"] = files[f"reads/{held[0]}.json"].replace(b"EV0001", b"EV0007")
        elif kind == "add_file":
            files["crops/planted.jpg"] = b"\xff\xd8"
        elif kind == "remove_file":
            del files[f"vehicles/{held[1]}.jpg"]
        else:
            files["manifest.json"] = files["manifest.json"].replace(b'"reads": 2', b'"reads": 1')

    rep = verify_package(rezip(data, change), p.ledger.public_key)
    assert not rep.ok and rep.problems


def test_provable_after_the_day_is_destroyed(package: tuple[bytes, Platform, list[str]], clock: ManualClock,
                                             tmp_path: Path) -> None:
    _, p, _ = package
    clock.advance(timedelta(days=40))
    [receipt] = p.retention.run()
    assert receipt.kept_for_cases == 2 and receipt.destroyed == 4
    who = {u: p.accounts.by_username(u) for u in ("officer",)}
    p.evidence.export(who["officer"], "2026-CR-3", tmp_path / "later.zip")
    rep = verify_package((tmp_path / "later.zip").read_bytes(), p.ledger.public_key)
    assert rep.ok, rep.problems

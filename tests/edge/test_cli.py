"""``platewarden edge`` on a synthetic clip, published through a real Mosquitto to a central worker; and the command
line's refusal of bad broker URLs and camera ids before anything starts."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from platewarden.cli.main import cli
from platewarden.domain.clock import ManualClock
from platewarden.edge.broker import Broker
from platewarden.edge.consumer import MqttIngest
from platewarden.edge.identity import CentralPublic, central_identity
from platewarden.edge.ingest import ReadIngest
from platewarden.runtime import Platform
from platewarden.synthetic.scene import StreetScene
from tests.brokers import Mosquitto
from tests.factories import CAMERA, approve_camera, people


def test_edge_command_end_to_end(platform: Platform, clock: ManualClock, broker: Mosquitto, tmp_path: Path) -> None:
    """Enrol the edge, register its key with the camera, hand it the central's identity, run it on a clip."""
    p = platform
    clock.set(datetime.now(UTC))  # the edge runs on the system clock; the central must agree on the time
    run = CliRunner()
    edge_dir = tmp_path / "edge"
    enrolled = run.invoke(cli, ["--data-dir", str(edge_dir), "edge", "enroll", "--camera", CAMERA.id])
    assert enrolled.exit_code == 0, enrolled.output
    public = re.search(r"(ed25519:\S+)", enrolled.output).group(1)  # type: ignore[union-attr]
    assert run.invoke(cli, ["--data-dir", str(edge_dir), "edge", "enroll", "--camera", CAMERA.id]).exit_code == 1
    approve_camera(p, CAMERA, people(p), edge_key=public)
    central = tmp_path / "central.json"
    central.write_text(central_identity(p.keyring).public().to_json())
    video = StreetScene([("8ABC234", "us")]).write_video(tmp_path / "clip.avi")
    w = MqttIngest(ReadIngest(p), Broker.parse(broker.url), "central-cli")
    assert w.connected.wait(10)
    stop = threading.Event()
    t = threading.Thread(target=w.run, args=(stop,), daemon=True)
    t.start()
    start = (clock.now() - timedelta(minutes=2)).isoformat()
    try:
        res = run.invoke(cli, ["--data-dir", str(edge_dir), "edge", str(video), "--camera", CAMERA.id,
                               "--central", str(central), "--broker", broker.url, "--start", start,
                               "--drain-seconds", "20"])
    finally:
        stop.set()
        t.join(10)
        w.close()
    assert res.exit_code == 0, res.output
    assert "0 waiting in the outbox" in res.output and "0 refused" in res.output
    stored = p.reads.find_by_plate("8ABC234", [clock.now().date()])
    assert len(stored) == 1 and (stored[0].latitude, stored[0].longitude) == (CAMERA.latitude, CAMERA.longitude)
    for secret in (edge_dir / "edge" / "edge.key", edge_dir / "edge" / f"{CAMERA.id}.ed25519"):
        assert secret.stat().st_mode & 0o077 == 0


def test_central_identity_comes_from_the_master_key(tmp_path: Path) -> None:
    run = CliRunner()
    out = tmp_path / "central.json"
    res = run.invoke(cli, ["--data-dir", str(tmp_path / "c"), "ingest", "identity", "--out", str(out)])
    assert res.exit_code == 0, res.output
    written = CentralPublic.load(out)
    assert "seal_key" in out.read_text() and "PRIVATE" not in out.read_text().upper()
    res = run.invoke(cli, ["--data-dir", str(tmp_path / "c"), "ingest", "identity", "--out", str(out)])
    assert CentralPublic.load(out) == written  # derived, not random: the same every time


def test_bad_arguments_change_nothing(tmp_path: Path) -> None:
    run = CliRunner()
    (tmp_path / "central.json").write_text("{}")
    for args in (["edge", "x.avi", "--camera", "cam/1", "--broker", "mqtt://h", "--central", "c.json"],
                 ["edge", "x.avi", "--camera", "cam-1", "--broker", "http://h", "--central", "c.json"],
                 ["edge", "enroll", "--camera", "cam/1"],
                 ["ingest", "mqtt://h/path"]):
        res = run.invoke(cli, ["--data-dir", str(tmp_path / "d"), *args])
        assert res.exit_code == 2, res.output
    res = run.invoke(cli, ["--data-dir", str(tmp_path / "d"), "edge", "x.avi", "--camera", "cam-1", "--broker",
                           "mqtt://127.0.0.1", "--central", str(tmp_path / "central.json")])
    assert res.exit_code == 1 and "central identity" in res.output
    assert not (tmp_path / "d").exists()


def test_edge_status_shows_the_outbox_backlog(tmp_path: Path) -> None:
    """What is waiting on the device, which the central cannot see: put, then one sent without its receipt."""
    from platewarden.edge.outbox import Outbox

    run = CliRunner()
    edge_dir = tmp_path / "edge"
    missing = run.invoke(cli, ["--data-dir", str(edge_dir), "edge", "status", "--camera", CAMERA.id])
    assert missing.exit_code == 1 and "has no outbox" in missing.output
    outbox = Outbox.open_for(edge_dir / "edge", CAMERA.id)
    outbox.put([(f"read-{i}", "t", b"sealed") for i in range(3)])
    outbox.sent([outbox.peek(1, set())[0][0]], 1.0)
    outbox.close()
    shown = run.invoke(cli, ["--data-dir", str(edge_dir), "edge", "status", "--camera", CAMERA.id])
    assert shown.exit_code == 0, shown.output
    assert "3 read(s) in the outbox, 2 not yet sent, 1 sent and awaiting the central's receipt" in shown.output

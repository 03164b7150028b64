"""``platewarden edge`` on a synthetic clip, published through a real Mosquitto to a central worker; and the command
line's refusal of bad broker URLs and camera ids before anything starts."""

from __future__ import annotations

import threading
from pathlib import Path

from click.testing import CliRunner

from platewarden.cli.main import cli
from platewarden.domain.clock import ManualClock
from platewarden.edge.broker import Broker
from platewarden.edge.consumer import MqttIngest
from platewarden.edge.ingest import ReadIngest
from platewarden.runtime import Platform
from platewarden.synthetic.scene import StreetScene
from tests.brokers import Mosquitto
from tests.factories import CAMERA, approve_camera, people


def test_edge_command_end_to_end(platform: Platform, clock: ManualClock, broker: Mosquitto, tmp_path: Path) -> None:
    p = platform
    approve_camera(p, CAMERA, people(p))
    video = StreetScene([("8ABC234", "us")]).write_video(tmp_path / "clip.avi")
    w = MqttIngest(ReadIngest(p), Broker.parse(broker.url), "central-cli")
    assert w.connected.wait(10)
    stop = threading.Event()
    t = threading.Thread(target=w.run, args=(stop,), daemon=True)
    t.start()
    try:
        res = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "edge"), "edge", str(video), "--camera", CAMERA.id,
                                       "--broker", broker.url, "--start", "2026-11-02T07:59:00+00:00",
                                       "--drain-seconds", "20"])
    finally:
        stop.set()
        t.join(10)
        w.close()
    assert res.exit_code == 0, res.output
    assert "0 waiting in the outbox" in res.output
    stored = p.reads.find_by_plate("8ABC234", [clock.now().date()])
    assert len(stored) == 1 and (stored[0].latitude, stored[0].longitude) == (CAMERA.latitude, CAMERA.longitude)
    assert (tmp_path / "edge" / "edge" / "edge.key").stat().st_mode & 0o077 == 0


def test_bad_arguments_change_nothing(tmp_path: Path) -> None:
    run = CliRunner()
    for args in (["edge", "x.avi", "--camera", "cam/1", "--broker", "mqtt://h"],
                 ["edge", "x.avi", "--camera", "cam-1", "--broker", "http://h"],
                 ["ingest", "mqtt://h/path"]):
        res = run.invoke(cli, ["--data-dir", str(tmp_path / "d"), *args])
        assert res.exit_code == 2, res.output
    assert not (tmp_path / "d").exists()

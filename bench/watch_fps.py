"""Frames per second of the live pipeline (recognition → fusion → sealed store → alerts) on a 1080p video.

    python bench/watch_fps.py [--frames 120] [--threads 1]

The video is a synthetic 1920x1080 street clip with known plates (platewarden.synthetic.scene); the pipeline is the
one ``platewarden watch`` runs, against a temporary SQLite store.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from machine import print_header  # type: ignore[import-not-found]

from platewarden.config import Settings
from platewarden.domain.cameras import Camera
from platewarden.domain.clock import ManualClock
from platewarden.domain.deployment import RoadSegment
from platewarden.fusion.fuser import Fuser
from platewarden.pipeline.live import LivePipeline
from platewarden.policy.model import Role
from platewarden.recognition.pipeline import Recognizer, RecognizerConfig
from platewarden.runtime import Platform
from platewarden.sources.video import VideoFileSource
from platewarden.synthetic.scene import StreetScene


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cars", type=int, default=6)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    print_header()
    plates = [("8ABC234", "us"), ("B 21 GSB", "ro"), ("KX 7204", "us"), ("AB-123-CD", "fr"), ("5SOW350", "us"),
              ("MH 12 DE 1433", "eu")][: a.cars]
    with tempfile.TemporaryDirectory() as tmp:
        scene = StreetScene(plates, width=1920, height=1080)
        video = scene.write_video(Path(tmp) / "street1080.avi")
        start = datetime(2026, 11, 2, 8, tzinfo=UTC)
        p = Platform.open(Settings(data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/w.db"),
                          clock=ManualClock(start), notify=False)
        cam = Camera("bench-cam", "bench", 52.0, 4.0, 0.0, "bench")
        admin = p.accounts.create(None, "bench.admin", "Bench", "Bench", {Role.ADMINISTRATOR}, "bench password 1")
        head = p.accounts.create(admin, "bench.head", "Bench", "Bench", {Role.DEPARTMENT_HEAD}, "bench password 1")
        board = p.accounts.create(admin, "bench.board", "Bench", "Bench", {Role.ETHICS_BOARD}, "bench password 1")
        for waiting in p.accounts.awaiting_grant(head):  # a second person approves the roles
            p.accounts.approve_grant(head, waiting.user.id)
        p.deployments.add_segment(RoadSegment("bench", "Bench road", 1.0, "bench"), head)
        p.deployments.import_existing(cam, "benchmark camera, no real deployment", board)
        pipe = LivePipeline(Recognizer(RecognizerConfig(threads=a.threads)), Fuser(cam), p.read_writer("bench"),
                            p.alerts)
        frames = list(VideoFileSource(video, cam.id, start).frames())
        t = time.perf_counter()
        stats = pipe.run(frames)
        dt = time.perf_counter() - t
        print(f"{stats.frames} frames of 1920x1080 in {dt:.1f} s: {stats.frames / dt:.1f} frames/s "
              f"({a.threads} thread(s)); {stats.reads} reads of {len(plates)} cars")
        p.close()


if __name__ == "__main__":
    main()

"""Image files and watched folders."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from platewarden.domain.clock import Clock
from platewarden.recognition.imageio import IMAGE_SUFFIXES, ImageError, read_image
from platewarden.sources.base import Frame, SourceStats


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


class ImageFileSource:
    """One or more still photos; each is its own frame, timed by its file's modification time."""

    def __init__(self, paths: list[Path], camera_id: str) -> None:
        self.paths = paths
        self.camera_id = camera_id
        self.stats = SourceStats()

    def frames(self) -> Iterator[Frame]:
        for i, p in enumerate(self.paths):
            try:
                img = read_image(p)
            except ImageError as exc:
                self.stats.bad_frames += 1
                self.stats.last_error = str(exc)
                continue
            self.stats.frames += 1
            yield Frame(self.camera_id, _mtime(p), img, i, still=True)


class FolderWatcher:
    """Yields each new image file that appears in a folder (polling), once; stops when ``should_stop`` says so."""

    def __init__(self, folder: Path, camera_id: str, clock: Clock, poll_seconds: float = 0.5,
                 should_stop: Callable[[], bool] = lambda: False, sleep: Callable[[float], None] = time.sleep):
        if not folder.is_dir():
            raise NotADirectoryError(f"{folder} is not a folder")
        self.folder = folder
        self.camera_id = camera_id
        self.clock = clock
        self.poll = poll_seconds
        self.should_stop = should_stop
        self.sleep = sleep
        self.stats = SourceStats()
        self._seen: set[Path] = set()

    def scan(self) -> list[Path]:
        """New image files since the last scan, oldest first (files still being written are left for later)."""
        now = time.time()
        new = []
        for p in sorted(self.folder.rglob("*")):
            if p in self._seen or not p.is_file() or p.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            if now - p.stat().st_mtime < 0.2:
                continue
            new.append(p)
        return sorted(new, key=lambda p: p.stat().st_mtime)

    def frames(self) -> Iterator[Frame]:
        index = 0
        while not self.should_stop():
            for p in self.scan():
                self._seen.add(p)
                try:
                    img = read_image(p)
                except ImageError as exc:
                    self.stats.bad_frames += 1
                    self.stats.last_error = str(exc)
                    continue
                self.stats.frames += 1
                yield Frame(self.camera_id, _mtime(p), img, index, still=True)
                index += 1
            self.sleep(self.poll)

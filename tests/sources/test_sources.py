"""Image decoding and frame sources: bad input gives a clear error or a counted skip, never a crash."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from platewarden.domain.clock import ManualClock
from platewarden.recognition.imageio import ImageError, decode_image, image_files, read_image
from platewarden.sources.files import FolderWatcher, ImageFileSource
from platewarden.sources.video import SourceError, StreamSource, VideoFileSource

T0 = datetime(2026, 11, 2, tzinfo=UTC)


def png_header(w: int, h: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def good_jpeg() -> bytes:
    return cv2.imencode(".jpg", np.full((64, 64, 3), 128, np.uint8))[1].tobytes()


@pytest.mark.parametrize("data,msg", [
    (b"", "empty"),
    (b"hello, I am text", "not a readable image"),
    (good_jpeg()[:200], "not a readable image"),
    (png_header(10_000, 10_000) + b"\0" * 100, "megapixel"),
])
def test_bad_bytes(data: bytes, msg: str) -> None:
    with pytest.raises(ImageError, match=msg):
        decode_image(data, "x")


def test_huge_jpeg_header_refused_before_decoding() -> None:
    jpg = bytearray(good_jpeg())
    i = jpg.index(b"\xff\xc0")
    jpg[i + 5: i + 9] = struct.pack(">HH", 9000, 9000)
    with pytest.raises(ImageError, match="megapixel"):
        decode_image(bytes(jpg), "bomb.jpg")


def test_folder_expansion_and_missing(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.jpg").write_bytes(good_jpeg())
    (tmp_path / "notes.txt").write_text("not an image")
    assert image_files([tmp_path]) == [tmp_path / "a" / "x.jpg"]
    with pytest.raises(ImageError, match="cannot read"):
        read_image(tmp_path / "missing.jpg")


def test_image_source_skips_and_counts_bad_files(tmp_path: Path) -> None:
    (tmp_path / "ok.jpg").write_bytes(good_jpeg())
    (tmp_path / "bad.jpg").write_bytes(b"garbage")
    src = ImageFileSource([tmp_path / "bad.jpg", tmp_path / "ok.jpg"], "cam-1")
    frames = list(src.frames())
    assert len(frames) == 1 and frames[0].still
    assert src.stats.bad_frames == 1 and "bad.jpg" in src.stats.last_error


def test_folder_watcher_yields_new_files_once(tmp_path: Path) -> None:
    import os
    import time

    stops = iter([False, False, True])
    w = FolderWatcher(tmp_path, "cam-1", ManualClock(T0), should_stop=lambda: next(stops), sleep=lambda s: None)
    for name in ("1.jpg", "2.jpg"):
        (tmp_path / name).write_bytes(good_jpeg())
        os.utime(tmp_path / name, (time.time() - 5, time.time() - 5))
    (tmp_path / "broken.png").write_bytes(b"nope")
    os.utime(tmp_path / "broken.png", (time.time() - 5, time.time() - 5))
    frames = list(w.frames())
    assert len(frames) == 2 and w.stats.bad_frames == 1
    with pytest.raises(NotADirectoryError):
        FolderWatcher(tmp_path / "1.jpg", "cam-1", ManualClock(T0))


def write_video(path: Path, n: int = 10) -> None:
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (64, 48))
    for i in range(n):
        vw.write(np.full((48, 64, 3), (i * 20) % 256, np.uint8))
    vw.release()


def test_video_frames_are_timed_from_start(tmp_path: Path) -> None:
    write_video(tmp_path / "v.avi")
    src = VideoFileSource(tmp_path / "v.avi", "cam-1", T0)
    frames = list(src.frames())
    assert len(frames) == 10
    assert (frames[5].at - T0).total_seconds() == pytest.approx(0.5)


def test_corrupt_or_missing_video_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.avi").write_bytes(b"RIFF" + b"\0" * 500)
    with pytest.raises(SourceError, match="not a readable video"):
        VideoFileSource(tmp_path / "bad.avi", "cam-1", T0)
    with pytest.raises(SourceError, match="no such video"):
        VideoFileSource(tmp_path / "none.avi", "cam-1", T0)


def test_truncated_video_yields_what_it_can(tmp_path: Path) -> None:
    write_video(tmp_path / "v.avi", 30)
    data = (tmp_path / "v.avi").read_bytes()
    (tmp_path / "cut.avi").write_bytes(data[: len(data) * 2 // 3])
    src = VideoFileSource(tmp_path / "cut.avi", "cam-1", T0)
    frames = list(src.frames())
    assert 0 < len(frames) < 30


def test_stream_reconnects_with_backoff() -> None:
    sleeps: list[float] = []
    src = StreamSource("http://127.0.0.1:9/none.mjpg", "cam-1", ManualClock(T0), sleep=sleeps.append,
                       max_reconnects=4)
    assert list(src.frames()) == []
    assert src.stats.reconnects == 4
    assert sleeps == [1.0, 2.0, 4.0, 8.0]

"""Where frames come from: image files, watched folders, video files, RTSP / HTTP MJPEG streams."""

from platewarden.sources.base import Frame, SourceStats
from platewarden.sources.files import FolderWatcher, ImageFileSource
from platewarden.sources.video import StreamSource, VideoFileSource, open_source

__all__ = ["FolderWatcher", "Frame", "ImageFileSource", "SourceStats", "StreamSource", "VideoFileSource",
           "open_source"]

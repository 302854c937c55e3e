"""Animated files: GIF through Pillow with one palette shared by every frame, and MP4 (H.264) through PyAV when the
optional `video` extra is installed. Both write to a temporary file beside the target and rename it into place only
when the last frame is in, so a cancelled or failed export leaves nothing behind.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6 import QtGui

from model.files import AtomicFile

ANIMATION_FORMATS = ("gif", "mp4")
VIDEO_HINT = "MP4 needs PyAV: pip install \"neuron-lab[video]\" (or pip install av)."
PALETTE_COLOURS = 256


def video_available() -> bool:
    """Whether PyAV can be imported, without importing it (it loads FFmpeg's libraries)."""
    return importlib.util.find_spec("av") is not None


def frame_pixels(image: QtGui.QImage) -> np.ndarray:
    """The image as rows of RGB pixels (height × width × 3, uint8), copied out of Qt's buffer."""
    rgb = image.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    rows = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    return rows[:, :rgb.width() * 3].reshape(rgb.height(), rgb.width(), 3).copy()


class _AtomicAnimation:
    """What both formats share: a temporary file beside the target. write() encodes what remains into it and
    touches no Qt object, so it may run on any thread; commit() puts the file in place; discard() leaves nothing."""

    def __init__(self, path: str | os.PathLike):
        self._file = AtomicFile(path)

    def commit(self) -> Path:
        self._file.commit()
        return self._file.path

    def discard(self) -> None:
        self._file.discard()


class GifFile(_AtomicAnimation):
    """A GIF whose frames share one palette, made from sample frames given first (the first and last moments hold
    every colour the views draw). Pillow writes a GIF in one call, so the frames are kept, as palette indices
    (a byte a pixel), until write()."""

    def __init__(self, path: str | os.PathLike, fps: float, samples: list[QtGui.QImage]):
        super().__init__(path)
        self._duration = round(1000 / fps)
        montage = np.concatenate([frame_pixels(image) for image in samples])
        self._palette = Image.fromarray(montage).quantize(PALETTE_COLOURS, Image.Quantize.MEDIANCUT)
        self._frames: list[Image.Image] = []

    def add(self, image: QtGui.QImage) -> None:
        frame = Image.fromarray(frame_pixels(image))
        self._frames.append(frame.quantize(palette=self._palette, dither=Image.Dither.NONE))

    def write(self) -> None:
        first, *rest = self._frames
        first.save(self._file.stream, format="GIF", save_all=True, append_images=rest, duration=self._duration,
                   loop=0, optimize=False, palette=self._palette.getpalette())
        self._frames.clear()

    def discard(self) -> None:
        self._frames.clear()
        super().discard()


class Mp4File(_AtomicAnimation):
    """An H.264 MP4 encoded frame by frame as they come. H.264's 4:2:0 colour needs even sides: an odd side gets
    one more row or column of white."""

    def __init__(self, path: str | os.PathLike, fps: float, size: tuple[int, int]):
        import av

        super().__init__(path)
        try:
            self._container = av.open(self._file.stream, mode="w", format="mp4")
            self._stream = self._container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1000))
            self._stream.width, self._stream.height = (side + side % 2 for side in size)
            self._stream.pix_fmt = "yuv420p"
        except BaseException:
            super().discard()
            raise
        self._frame = av.VideoFrame

    def add(self, image: QtGui.QImage) -> None:
        pixels = frame_pixels(image)
        height, width = pixels.shape[:2]
        padded = np.pad(pixels, ((0, height % 2), (0, width % 2), (0, 0)), constant_values=255)
        self._container.mux(self._stream.encode(self._frame.from_ndarray(padded, format="rgb24")))

    def write(self) -> None:
        self._container.mux(self._stream.encode(None))
        self._container.close()

    def discard(self) -> None:
        try:
            self._container.close()
        finally:
            super().discard()


AnimationFile = GifFile | Mp4File


def open_animation_file(path: str | os.PathLike, fps: float, size: tuple[int, int],
                        samples: Callable[[], list[QtGui.QImage]]) -> AnimationFile:
    """A GIF or an MP4 by the path's suffix; samples draws the frames a GIF's palette is made from."""
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt == "gif":
        return GifFile(path, fps, samples())
    if fmt == "mp4":
        if not video_available():
            raise ValueError(VIDEO_HINT)
        return Mp4File(path, fps, size)
    raise ValueError(f"Animations are saved as .gif or .mp4, not {Path(path).suffix or 'a file without a suffix'}.")

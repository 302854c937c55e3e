"""The File → Export animation… dialog: which view, which frames, how fast, how large, GIF or MP4."""

from __future__ import annotations

from PySide6 import QtWidgets

from gui.export.animation import ANIMATION_VIEWS, FRAME_SIZE
from gui.export.animation_export import ANIMATION_SCALES, FRAME_RATES, AnimationChoice
from gui.export.animation_file import ANIMATION_FORMATS, VIDEO_HINT, video_available
from gui.export.export_dialog import lay_out_choices

MAX_EVERY = 100_000


class AnimationDialog(QtWidgets.QDialog):
    def __init__(self, previous: AnimationChoice, fmt: str, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export animation")
        self.kind = _combo({description: kind for kind, description in ANIMATION_VIEWS.items()}, previous.kind)
        self.frames = _combo({"one per snapshot": False, "one every N epochs": True}, previous.every is not None)
        self.frames.setToolTip("Every frame is drawn from the stored history, so the window keeps playing.")
        self.every = QtWidgets.QSpinBox()
        self.every.setRange(1, MAX_EVERY)
        self.every.setValue(previous.every or 1)
        self.every.setPrefix("N = ")
        self.every.setEnabled(previous.every is not None)
        self.frames.currentIndexChanged.connect(lambda: self.every.setEnabled(self.frames.currentData()))
        self.fps = _combo({f"{rate} frames a second": rate for rate in FRAME_RATES}, previous.fps)
        self.scale = _combo({f"{scale:g}× ({round(FRAME_SIZE[0] * scale)} × {round(FRAME_SIZE[1] * scale)})": scale
                             for scale in ANIMATION_SCALES}, previous.scale)
        self.fmt = _combo({name.upper(): name for name in ANIMATION_FORMATS}, fmt)
        if not video_available():
            mp4 = self.fmt.model().item(self.fmt.findData("mp4"))
            mp4.setEnabled(False)
            mp4.setToolTip(VIDEO_HINT)
            self.fmt.setToolTip(VIDEO_HINT)
            self.fmt.setCurrentIndex(self.fmt.findData("gif"))
        lay_out_choices(self, [("view", self.kind), ("frames", self.frames), ("", self.every),
                               ("frame rate", self.fps), ("scale", self.scale), ("format", self.fmt)])

    def choice(self) -> tuple[AnimationChoice, str]:
        """The animation asked for and its format ("gif" or "mp4")."""
        every = self.every.value() if self.frames.currentData() else None
        choice = AnimationChoice(self.kind.currentData(), every, self.fps.currentData(), self.scale.currentData())
        return choice, self.fmt.currentData()


def _combo(items: dict[str, object], current: object) -> QtWidgets.QComboBox:
    combo = QtWidgets.QComboBox()
    for text, data in items.items():
        combo.addItem(text, data)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo

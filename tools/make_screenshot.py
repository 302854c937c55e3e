"""Remake the README's screenshot from the app itself: python tools/make_screenshot.py [OUT.png]

Opens the real window at a laptop's 1366 × 768, trains the default run a few epochs, takes one update apart
(Shift+Right) and saves the window as Qt draws it. Without a display it draws offscreen.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
"""Run as a script from the checkout, this folder is on the path instead of the project's."""
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="neuron-lab-screenshot-")
"""A fresh settings folder: the picture shows the default layout, not the one this machine remembers."""

from PySide6 import QtCore, QtWidgets  # noqa: E402

from gui.base.style import configure_pyqtgraph  # noqa: E402
from gui.window.main_window import MainWindow  # noqa: E402
from model.settings import Settings  # noqa: E402

SIZE = (1366, 768)
EPOCHS_BEFORE = 4


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "resources" / "screenshot.png"
    app = QtWidgets.QApplication([])
    configure_pyqtgraph()
    window = MainWindow(Settings(l2=0.02))
    window.resize(*SIZE)
    window.show()
    steps = [window.step_epoch_action.trigger] * EPOCHS_BEFORE + [window.step_batch_action.trigger]

    def ready() -> bool:
        state = window.state
        return state is not None and state.picture is not None and not window.busy_bar.isVisible()

    def next_step() -> None:
        if not ready():
            QtCore.QTimer.singleShot(100, next_step)
        elif steps:
            steps.pop(0)()
            QtCore.QTimer.singleShot(300, next_step)
        elif window.state.step is None or window.run.analysis.description():
            QtCore.QTimer.singleShot(100, next_step)
        else:
            window.grab().save(str(out))
            app.quit()

    QtCore.QTimer.singleShot(500, next_step)
    app.exec()
    window.close()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

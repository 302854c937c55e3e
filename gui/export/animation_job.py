"""An animated export from the window: its frames are drawn one per turn of the event loop on the GUI thread (Qt
draws plots there only), so the window keeps playing and answering between them, under a progress dialog whose
Cancel stops at once and leaves no file."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from gui.base.errors import reason
from gui.export.animation_export import AnimationExport


class AnimationJob(QtCore.QObject):
    """Runs one export to its end or its cancellation.

    done(path): the file is in place. stopped(message): cancelled (empty message) or failed (why); nothing is left.
    """

    done = QtCore.Signal(object)
    stopped = QtCore.Signal(str)

    def __init__(self, export: AnimationExport, parent: QtWidgets.QWidget):
        super().__init__(parent)
        self.export = export
        self.running = True
        total = len(export.epochs)
        self.progress = QtWidgets.QProgressDialog(f"Drawing {total} frames…", "Cancel", 0, total, parent)
        self.progress.setObjectName("animationProgress")
        self.progress.setWindowTitle("Export animation")
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.canceled.connect(self.cancel)
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._next)
        self._timer.start()
        self.progress.show()

    def cancel(self) -> None:
        """Stop between two frames; the temporary file goes with it."""
        if self.running:
            self.export.cancel()
            self._end()
            self.stopped.emit("")

    def _next(self) -> None:
        try:
            if self.export.step():
                self.progress.setValue(self.export.done)
                return
            path = self.export.finish()
        except Exception as error:
            self._end()
            self.stopped.emit(reason(error))
            return
        self._end()
        self.done.emit(path)

    def _end(self) -> None:
        """Stop and go: the job and its dialog are deleted once the signal saying how it ended has been handled."""
        self.running = False
        self._timer.stop()
        self.progress.close()
        self.progress.deleteLater()
        self.deleteLater()

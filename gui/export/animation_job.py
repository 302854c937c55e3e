"""An animated export from the window. Its frames are drawn one per turn of the event loop on the GUI thread (Qt
draws plots there only), so the window keeps playing and answering between them; the file is then encoded on a
thread of its own (a GIF is encoded whole at the end), and put in place back on the GUI thread. A progress dialog
shows how far it is; its Cancel, or closing the window, leaves no file. The encoding thread is not a daemon: were the
app to quit meanwhile, Python waits for it, and it removes its file itself."""

from __future__ import annotations

import threading
from concurrent.futures import Future

from PySide6 import QtCore, QtWidgets

from gui.base.errors import reason
from gui.export.animation_export import AnimationExport

WRITE_POLL_MS = 20


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
        self._cancelled = False
        self._written: Future[None] | None = None
        total = len(export.epochs)
        self.progress = QtWidgets.QProgressDialog(f"Drawing {total} frames…", "Cancel", 0, total, parent)
        self.progress.setObjectName("animationProgress")
        self.progress.setWindowTitle("Export animation")
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.canceled.connect(self.cancel)
        parent.installEventFilter(self)
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._next)
        self._timer.start()
        self.progress.show()

    def cancel(self) -> None:
        """Stop between two frames, or as soon as the file's encoding ends; the temporary file goes with it."""
        if not self.running or self._cancelled:
            return
        self._cancelled = True
        self.progress.hide()
        if self._written is None:
            self._stop("")

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        """Closing the window cancels the export: nothing would be left to finish it."""
        if event.type() == QtCore.QEvent.Type.Close:
            self.cancel()
        return super().eventFilter(watched, event)

    def _next(self) -> None:
        if self._written is not None:
            self._after_writing()
            return
        try:
            more = self.export.step()
        except Exception as error:
            self._stop(reason(error))
            return
        self.progress.setValue(self.export.done)
        if not more:
            self._write()

    def _write(self) -> None:
        self.progress.setLabelText("Writing the file…")
        written = self._written = Future()

        def write() -> None:
            try:
                self.export.write()
                if self._cancelled:  # perhaps with the window closed, so that no one else would remove the file
                    self.export.discard_file()
            except BaseException as error:
                written.set_exception(error)
            else:
                written.set_result(None)

        threading.Thread(target=write, name="animation-writer").start()
        self._timer.setInterval(WRITE_POLL_MS)

    def _after_writing(self) -> None:
        if not self._written.done():
            return
        error = self._written.exception()
        if self._cancelled or error is not None:
            self._stop("" if self._cancelled else reason(error))
            return
        try:
            path = self.export.commit()
        except OSError as failed:
            self._end()
            self.stopped.emit(reason(failed))
            return
        self._end()
        self.done.emit(path)

    def _stop(self, message: str) -> None:
        self.export.cancel()
        self._end()
        self.stopped.emit(message)

    def _end(self) -> None:
        """Stop and go: the job and its dialog are deleted once the signal saying how it ended has been handled."""
        self.running = False
        self._timer.stop()
        self.progress.close()
        self.progress.deleteLater()
        self.deleteLater()

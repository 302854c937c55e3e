"""Turning part of a graphics scene into PNG or SVG bytes, the same way for the window and the headless command.

SVG is drawn with Qt's own generator: pyqtgraph's SVG exporter cannot parse the closed paths Qt 6 writes. The scene's
items are put in pyqtgraph's export mode for it, so scatter points and cached axes are drawn as vector paths, not
bitmaps.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtSvg, QtWidgets

PNG_SCALES = (1, 2, 3, 4)


def render_png(scene: QtWidgets.QGraphicsScene, source: QtCore.QRectF, scale: float = 1.0) -> bytes:
    """PNG of the scene's source rectangle, `scale` image pixels per screen pixel (2 or more for print)."""
    image = render_image(scene, source, scale)
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError("the image could not be encoded as PNG")
    return bytes(buffer.data())


def render_image(scene: QtWidgets.QGraphicsScene, source: QtCore.QRectF, scale: float = 1.0,
                 keep_caches: bool = False) -> QtGui.QImage:
    """The scene's source rectangle on a white image, `scale` image pixels per screen pixel.

    keep_caches is for a scene drawn many times at one scale and never on screen (an animation's frames): the
    items' caches are then made at this scale, stay sharp, and save a third of each frame's time."""
    size = QtCore.QSize(round(source.width() * scale), round(source.height() * scale))
    image = QtGui.QImage(size, QtGui.QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(scale)
    image.fill(QtGui.QColor("white"))
    if keep_caches:
        _paint_cached(image, scene, source)
    else:
        _paint(image, scene, source)
    return image


def render_svg(scene: QtWidgets.QGraphicsScene, source: QtCore.QRectF, title: str) -> bytes:
    """SVG of the scene's source rectangle: curves stay vectors, so the figure scales to any print size."""
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    generator = QtSvg.QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(source.size().toSize())
    generator.setViewBox(QtCore.QRectF(0, 0, source.width(), source.height()))
    generator.setTitle(title)
    generator.setDescription("Made with Neuron Lab")
    _set_export_mode(scene, True)
    try:
        _paint(generator, scene, source)
    finally:
        _set_export_mode(scene, False)
    return bytes(buffer.data())


def settle_layout(widget: QtWidgets.QGraphicsView) -> None:
    """Lay an offscreen figure out as a shown window would be, without running the event loop (an export must not
    handle the learner's clicks halfway through): axes size themselves to their tick labels while they paint, and
    the layout they then ask for is applied at once."""
    widget.ci.layout.activate()
    widget.grab()
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.LayoutRequest)
    widget.ci.layout.activate()


def _set_export_mode(scene: QtWidgets.QGraphicsScene, exporting: bool) -> None:
    """pyqtgraph items draw for export (every point as a path) while this is on."""
    for item in scene.items():
        if hasattr(item, "setExportMode"):
            item.setExportMode(exporting, {"antialias": True, "resolutionScale": 1.0})


def _paint(device: QtGui.QPaintDevice, scene: QtWidgets.QGraphicsScene, source: QtCore.QRectF) -> None:
    """Render the scene with item caches off: a cached item (the axes) would otherwise be pasted in as the bitmap it
    has at screen resolution, blurred in a 3× PNG and an image in an SVG."""
    caches = {item: item.cacheMode() for item in scene.items()}
    for item in caches:
        item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.NoCache)
    try:
        _paint_cached(device, scene, source)
    finally:
        for item, mode in caches.items():
            item.setCacheMode(mode)


def _paint_cached(device: QtGui.QPaintDevice, scene: QtWidgets.QGraphicsScene, source: QtCore.QRectF) -> None:
    painter = QtGui.QPainter(device)
    try:
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
        scene.render(painter, QtCore.QRectF(0, 0, source.width(), source.height()), source)
    finally:
        painter.end()

"""Legends that name exactly the marks a view has drawn (a key to something not on the plot misleads a learner,
and a mark without a key leaves them guessing) and that fit the width they are given."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets


def drawn(item: pg.GraphicsObject) -> bool:
    """Whether a curve or scatter item holds anything to draw (a hidden item still counts: clicking its legend
    sample hides it, and the entry must stay to show it again)."""
    if isinstance(item, pg.ScatterPlotItem):
        return len(item.data) > 0
    x = item.xData if isinstance(item, pg.PlotDataItem) else None
    return x is not None and x.size > 0


class KeyedLegend:
    """Keeps a legend's entries to the keyed items that are drawn, always in the order given; the legend is its
    own. It is only rebuilt when that set changes, which is rare: a rebuilt legend lays its plot out again."""

    def __init__(self, legend: pg.LegendItem, entries: Sequence[tuple[pg.GraphicsObject, str]],
                 samples: Mapping[pg.GraphicsObject, pg.GraphicsObject] | None = None):
        """`samples` stands in for items whose own look would not show on the legend's white (white lines)."""
        self.legend = legend
        self.entries = tuple(entries)
        self.samples = dict(samples or {})
        self.names: tuple[str, ...] = ()
        legend.clear()

    def refresh(self, held: Collection[pg.GraphicsObject] = ()) -> None:
        """Match the entries to the items drawn now; an item in `held` keeps the entry state it had (its data is
        about to be replaced, so taking the entry out and back would lay the plot out twice)."""
        names = tuple(name for item, name in self.entries
                      if (name in self.names if item in held else drawn(item)))
        if names == self.names:
            return
        self.legend.clear()
        for item, name in self.entries:
            if name in names:
                self.legend.addItem(self.samples.get(item, item), name)
        self.names = names


class FittingLegend(pg.LegendItem):
    """A legend laid out in up to `columns` columns, in as many as fit the width its layout gives it. Its narrowest
    size is one column, so a legend whose entries grow (an update taken apart adds three) never widens its plot past
    the window's edge; it takes another row instead."""

    def __init__(self, columns: int, **options):
        super().__init__(colCount=columns, **options)
        self.most_columns = columns

    def sizeHint(self, which: QtCore.Qt.SizeHint, constraint: QtCore.QSizeF | None = None) -> QtCore.QSizeF:
        hint = super().sizeHint(which, QtCore.QSizeF() if constraint is None else constraint)
        if which == QtCore.Qt.SizeHint.MinimumSize:
            hint.setWidth(self.width_in(1))
        elif which == QtCore.Qt.SizeHint.PreferredSize:
            hint.setWidth(self.width_in(self.most_columns))
        return hint

    def updateSize(self) -> None:
        """The layout it sits in sizes it (pyqtgraph's legend sizes itself to its entries' current widths, which a
        wider cell has stretched: it would only grow)."""
        self.updateGeometry()

    def resizeEvent(self, event: QtWidgets.QGraphicsSceneResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit(event.newSize().width())

    def fit(self, width: float) -> None:
        """Take the most columns, up to `most_columns`, whose entries fit in this width."""
        columns = next((count for count in range(self.most_columns, 1, -1) if self.width_in(count) <= width), 1)
        if columns != self.columnCount:
            self.setColumnCount(columns)

    def width_in(self, columns: int) -> float:
        """The width the entries take laid out in this many columns, row by row as the legend lays them."""
        left, _, right, _ = self.layout.getContentsMargins()
        spacing = self.layout.horizontalSpacing()
        samples, labels = [0.0] * columns, [0.0] * columns
        for index, (sample, label) in enumerate(self.items):
            column = index % columns
            samples[column] = max(samples[column], sample.boundingRect().width())
            labels[column] = max(labels[column], label.minimumWidth())
        cells = 2 * min(columns, len(self.items))
        return left + right + sum(samples) + sum(labels) + spacing * max(cells - 1, 0)

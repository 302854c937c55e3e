"""A legend that names exactly the marks a view has drawn: a key to something not on the plot misleads a learner,
and a mark without a key leaves them guessing."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import pyqtgraph as pg


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

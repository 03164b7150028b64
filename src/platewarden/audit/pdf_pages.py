"""A4 pages written top to bottom with matplotlib (Agg, no GUI): lines of text that wrap and flow onto new pages,
and charts placed between them. Shared by the documents the platform hands out (the compliance report, a search's
signed export), so that each says what it holds and none lays out pages by hand."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure, FigureBase

A4 = (8.27, 11.69)
TOP, BOTTOM, LEFT = 0.95, 0.05, 0.07


class PageWriter:
    """Writes lines top to bottom, starting a new page when one is full."""

    def __init__(self, pdf: PdfPages, footer: str) -> None:
        self._pdf = pdf
        self._footer = footer
        self.fig: Figure | None = None
        self.y = TOP
        self.count = 0

    def new_page(self) -> Figure:
        self.close_page()
        self.fig = Figure(figsize=A4, layout="constrained")  # lays out the charts' axes; text is placed by hand
        self.y = TOP
        self.count += 1
        return self.fig

    def close_page(self) -> None:
        if self.fig is not None:
            self.fig.text(0.5, 0.025, f"{self._footer} · page {self.count}", ha="center", fontsize=7,
                          color="#718096")
            self._pdf.savefig(self.fig)  # type: ignore[no-untyped-call]
            self.fig = None

    def line(self, text: str, size: float = 8.5, wrap: int = 115, indent: float = 0.0, gap: float = 0.0,
             **kw: object) -> None:
        height = size * 1.45 / (A4[1] * 72)
        for i, part in enumerate(textwrap.wrap(text, wrap, break_long_words=True) or [""]):
            if self.fig is None or self.y - height < BOTTOM:
                self.new_page()
            assert self.fig is not None
            self.fig.text(LEFT + indent + (0.02 if i and indent else 0), self.y, part, fontsize=size, va="top",
                          **kw)  # type: ignore[arg-type]
            self.y -= height
        self.y -= gap

    def chart(self, draw: Callable[[FigureBase], None], height: float) -> None:
        if self.fig is None or self.y - height < BOTTOM:
            self.new_page()
        assert self.fig is not None
        above, below = max(1 - self.y, 1e-3), max(self.y - height, 1e-3)
        gs = self.fig.add_gridspec(3, 3, height_ratios=[above, height, below],
                                   width_ratios=[LEFT, 1 - 2 * LEFT, LEFT], hspace=0, wspace=0)
        sub = self.fig.add_subfigure(gs[1, 1])
        sub.set_facecolor("none")
        draw(sub)
        self.y -= height + 0.015

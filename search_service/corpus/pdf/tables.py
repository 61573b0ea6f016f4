"""Ruled tables on a PDF page, read fast from PDFium's drawn rules, with pdfplumber as fallback.

pdfplumber parses a page in Python (~20-50 ms a page), more than PDFium needs for a whole
100-page report. Most recommendation tables are plain grids of ruled cells, so we first
rebuild the grid from PDFium's path objects and read each cell's text with
get_text_bounded; only pages whose rules don't form such a grid go to pdfplumber.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from search_service.corpus.pdf.text import normalise

# Rules closer than this (points) are the same rule; thinner than this is a line, not a box.
_SNAP = 2.5
# A table starting this high on its page may be the continuation of the previous page's.
_TOP_FRACTION = 0.3


@dataclass
class Table:
    """A table's rows of cell texts; at_top means it starts near the top of its page."""

    rows: list[list[str]]
    at_top: bool


def _snap(value: float, seen: list[float]) -> float:
    for known in seen:
        if abs(known - value) <= _SNAP:
            return known
    seen.append(value)
    return value


def _rules(page: pdfium.PdfPage) -> tuple[dict, dict]:
    """Horizontal rules {y: [(x0, x1)]} and vertical rules {x: [(y0, y1)]} drawn on a page."""
    horizontal: dict[float, list] = defaultdict(list)
    vertical: dict[float, list] = defaultdict(list)
    ys: list[float] = []
    xs: list[float] = []
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        wide, tall = right - left > _SNAP, top - bottom > _SNAP
        if wide and not tall:
            horizontal[_snap((top + bottom) / 2, ys)].append((left, right))
        elif tall and not wide:
            vertical[_snap((left + right) / 2, xs)].append((bottom, top))
        elif wide and tall:  # a drawn box: its four sides are rules
            for y in (bottom, top):
                horizontal[_snap(y, ys)].append((left, right))
            for x in (left, right):
                vertical[_snap(x, xs)].append((bottom, top))
    return horizontal, vertical


def _covers(spans: list[tuple[float, float]], low: float, high: float) -> bool:
    return any(a - _SNAP <= low and high <= b + _SNAP for a, b in spans)


def _grid_rows(horizontal: dict, vertical: dict) -> list[tuple[float, float, list[float]]]:
    """(top, bottom, column xs) for each band between adjacent horizontal rules."""
    bands = []
    ys = sorted(horizontal, reverse=True)  # PDF y grows upwards: top of the page first
    for top, bottom in zip(ys, ys[1:], strict=False):
        cols = sorted(x for x, spans in vertical.items() if _covers(spans, bottom, top))
        ruled = horizontal[top] + horizontal[bottom]
        cols = [x for x in cols if _covers(ruled, x, x)]
        if len(cols) >= 2:
            bands.append((top, bottom, cols))
    return bands


def pdfium_tables(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> list[Table] | None:
    """Grids of ruled cells on a page; None if it has enough rules for a table but no plain grid."""
    horizontal, vertical = _rules(page)
    if len(horizontal) < 3 or len(vertical) < 2:
        return []  # a header underline or a box, not a table
    tables: list[Table] = []
    previous: tuple[float, list[float]] | None = None
    height = page.get_height()
    for top, bottom, cols in _grid_rows(horizontal, vertical):
        cells = [
            normalise(textpage.get_text_bounded(left + 0.5, bottom + 0.5, right - 0.5, top - 0.5))
            for left, right in zip(cols, cols[1:], strict=False)
        ]
        # A band continues the table above when it shares that table's bottom rule and columns.
        if previous and previous == (top, cols):
            tables[-1].rows.append(cells)
        else:
            tables.append(Table([cells], at_top=top > height * (1 - _TOP_FRACTION)))
        previous = (bottom, cols)
    return tables if tables else None


class PdfiumTables(AbstractContextManager):
    """Tables page by page from PDFium; ``fallback`` lists pages its grids could not read."""

    def __init__(self, path: Path):
        self.doc = pdfium.PdfDocument(path)
        self.fallback: list[int] = []

    def __call__(self, index: int) -> list[Table]:
        page = self.doc[index]
        textpage = page.get_textpage()
        try:
            tables = pdfium_tables(page, textpage)
        finally:
            textpage.close()
            page.close()
        if tables is None:
            self.fallback.append(index)
            return []
        return tables

    def __exit__(self, *exc) -> None:
        self.doc.close()


class PlumberTables(AbstractContextManager):
    """Tables page by page from pdfplumber, opening only the pages that may be asked for."""

    def __init__(self, path: Path, indices: list[int]):
        import pdfplumber  # slow to import; most runs never need it

        self.pdf = pdfplumber.open(path, pages=[i + 1 for i in indices])
        self.pages = {page.page_number - 1: page for page in self.pdf.pages}

    def __call__(self, index: int) -> list[Table]:
        page = self.pages.get(index)
        if page is None:
            return []
        tables = [
            Table(
                [[c or "" for c in row] for row in t.extract()],
                t.bbox[1] < page.height * _TOP_FRACTION,
            )
            for t in page.find_tables()
        ]
        page.close()
        return tables

    def __exit__(self, *exc) -> None:
        self.pdf.close()


TableSource = Callable[[int], list[Table]]

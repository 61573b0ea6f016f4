"""Ruled tables on a PDF page, read fast from PDFium's drawn rules, with pdfplumber as fallback.

pdfplumber parses a page in Python (~20-50 ms a page), more than PDFium needs for a whole
100-page report. Most recommendation tables are plain grids of ruled cells, so we first
rebuild the grid from PDFium's path objects and read each cell's text with
get_text_bounded; only pages whose rules don't form such a grid go to pdfplumber.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from search_service.corpus.pdf import limits
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


class _Snapper:
    """Snaps a value to the first seen value within _SNAP of it, in O(log n) a value."""

    # Seen values lie more than _SNAP apart (a value is added only when none is near it), so
    # only its two neighbours in sorted order can be near; of those the first seen wins, as
    # a scan of the seen values in order (quadratic on a page of many rules) would find.

    def __init__(self) -> None:
        self.sorted: list[float] = []
        self.order: dict[float, int] = {}

    def __call__(self, value: float) -> float:
        at = bisect.bisect_left(self.sorted, value)
        near = [
            known for known in self.sorted[max(0, at - 1) : at + 1] if abs(known - value) <= _SNAP
        ]
        if near:
            return min(near, key=self.order.__getitem__)
        self.sorted.insert(at, value)
        self.order[value] = len(self.order)
        return value


def _rules(page: pdfium.PdfPage, cap: int) -> tuple[dict, dict] | None:
    """Horizontal rules {y: [(x0, x1)]} and vertical ones {x: [(y0, y1)]}; None past cap paths."""
    # A real table page draws tens to hundreds of paths; past the cap (0: none) the page is
    # not worth the time its rules would cost (limits.MAX_RULED_LINES).
    horizontal: dict[float, list] = defaultdict(list)
    vertical: dict[float, list] = defaultdict(list)
    snap_y, snap_x = _Snapper(), _Snapper()
    objects = page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=3)
    for count, obj in enumerate(objects, start=1):
        if cap and count > cap:
            return None
        left, bottom, right, top = obj.get_bounds()
        wide, tall = right - left > _SNAP, top - bottom > _SNAP
        if wide and not tall:
            horizontal[snap_y((top + bottom) / 2)].append((left, right))
        elif tall and not wide:
            vertical[snap_x((left + right) / 2)].append((bottom, top))
        elif wide and tall:  # a drawn box: its four sides are rules
            for y in (bottom, top):
                horizontal[snap_y(y)].append((left, right))
            for x in (left, right):
                vertical[snap_x(x)].append((bottom, top))
    return horizontal, vertical


def _covers(spans: list[tuple[float, float]], low: float, high: float) -> bool:
    return any(a - _SNAP <= low and high <= b + _SNAP for a, b in spans)


def _merged(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Spans widened by _SNAP each side, merged where they overlap, left to right."""
    merged: list[tuple[float, float]] = []
    for a, b in sorted((a - _SNAP, b + _SNAP) for a, b in spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _within(merged: list[tuple[float, float]], x: float) -> bool:
    at = bisect.bisect_right(merged, (x, float("inf"))) - 1
    return at >= 0 and merged[at][1] >= x


def _grid_rows(
    horizontal: dict, vertical: dict, max_cells: int = 0
) -> list[tuple[float, float, list[float]]] | None:
    """(top, bottom, column xs) of each band between adjacent horizontal rules, or None."""
    # A column of a band is a vertical rule spanning the band and meeting a horizontal rule
    # above or below it. Each vertical rule's bands are found by bisection, so the work grows
    # with the rules and the cells, not with rows times columns; None when the vertical
    # rules cross more than ``max_cells`` bands in all (0: no cap), as a grid of 2,500 by
    # 2,500 rules would (6 million cells): a recommendations table has tens to hundreds.
    ys = sorted(horizontal)  # band k lies between ys[k] and ys[k + 1]
    crossing: dict[int, set[float]] = defaultdict(set)
    ranges = []
    for x, spans in vertical.items():
        for low, high in spans:
            first = bisect.bisect_left(ys, low - _SNAP)  # bottom rule at or above the span
            last = bisect.bisect_right(ys, high + _SNAP) - 2  # top rule at or below it
            if first <= last:
                ranges.append((x, first, last))
    if max_cells and sum(last - first + 1 for _, first, last in ranges) > max_cells:
        return None
    for x, first, last in ranges:
        for band in range(first, last + 1):
            crossing[band].add(x)
    bands = []
    for band in range(len(ys) - 2, -1, -1):  # PDF y grows upwards: top of the page first
        bottom, top = ys[band], ys[band + 1]
        ruled = _merged(horizontal[top] + horizontal[bottom])
        cols = [x for x in sorted(crossing.get(band, ())) if _within(ruled, x)]
        if len(cols) >= 2:
            bands.append((top, bottom, cols))
    return bands


def pdfium_tables(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> list[Table] | None:
    """Grids of ruled cells on a page; None if it has enough rules for a table but no plain grid."""
    # A page drawing more rules, or ruling more cells, than limits.max_ruled_lines has no
    # tables read at all (not even by pdfplumber, slower still); its text is read as any page's.
    cap = limits.current().max_ruled_lines
    rules = _rules(page, cap)
    if rules is None:
        return []
    horizontal, vertical = rules
    if len(horizontal) < 3 or len(vertical) < 2:
        return []  # a header underline or a box, not a table
    tables: list[Table] = []
    previous: tuple[float, list[float]] | None = None
    height = page.get_height()
    bands = _grid_rows(horizontal, vertical, cap)
    if bands is None:
        return []
    for top, bottom, cols in bands:
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

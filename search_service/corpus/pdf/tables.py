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
from search_service.corpus.pdf.paragraphs import Glyph, page_glyphs, paragraph_breaks
from search_service.corpus.pdf.text import normalise

# Rules closer than this (points) are the same rule; thinner than this is a line, not a box.
_SNAP = 2.5
# A table starting this high on its page may be the continuation of the previous page's.
_TOP_FRACTION = 0.3


@dataclass
class Cell:
    """One cell of a table row: its text, its left and right edges (points), and whether it
    continues the cell above (a vertically merged cell, whose text the first row holds)."""

    text: str
    x0: float
    x1: float
    merged: bool = False
    bottom: float = 0.0  # the merged cell's whole height, for PDFium's cells
    top: float = 0.0
    # Lines (0-based) of text that end a paragraph; None when the PDF does not say.
    breaks: tuple[int, ...] | None = None

    def paragraphs(self) -> list[str]:
        """The cell's paragraphs, each as its lines; the text as one when breaks are unknown."""
        lines = self.text.split("\n")
        if not self.breaks or len(lines) < 2:
            return [self.text]
        out, start = [], 0
        for end in (*self.breaks, len(lines) - 1):
            out.append("\n".join(lines[start : end + 1]))
            start = end + 1
        return [p for p in out if p.strip()]


@dataclass
class Table:
    """A table's rows of cells; at_top means it starts near the top of its page."""

    rows: list[list[Cell]]
    at_top: bool

    def texts(self) -> list[list[str]]:
        """The rows as cell texts only."""
        return [[c.text for c in row] for row in self.rows]


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


def _crossings(ys: list[float], vertical: dict, max_cells: int) -> dict[int, set[float]] | None:
    """{band: xs of the vertical rules spanning it}; band k lies between ys[k] and ys[k + 1]."""
    # Each vertical rule's bands are found by bisection, so the work grows with the rules and
    # the cells, not with rows times columns; None when the vertical rules cross more than
    # ``max_cells`` bands in all (0: no cap), as a grid of 2,500 by 2,500 rules would (6
    # million cells): a recommendations table has tens to hundreds.
    ranges = []
    for x, spans in vertical.items():
        for low, high in spans:
            first = bisect.bisect_left(ys, low - _SNAP)  # bottom rule at or above the span
            last = bisect.bisect_right(ys, high + _SNAP) - 2  # top rule at or below it
            if first <= last:
                ranges.append((x, first, last))
    if max_cells and sum(last - first + 1 for _, first, last in ranges) > max_cells:
        return None
    crossing: dict[int, set[float]] = defaultdict(set)
    for x, first, last in ranges:
        for band in range(first, last + 1):
            crossing[band].add(x)
    return crossing


@dataclass
class _Box:
    """A cell's rectangle while the grid is read; a merged cell grows downwards."""

    x0: float
    x1: float
    top: float
    bottom: float
    merged: bool = False


def _grid(horizontal: dict, vertical: dict, max_cells: int = 0) -> list[list[list[_Box]]] | None:
    """Tables of rows of cell boxes, top of the page first; None past max_cells."""
    # A band between two adjacent horizontal rules is a row where at least two vertical rules
    # span it; its cells lie between adjacent ones. A cell whose top edge is not ruled
    # continues the cell above it (Word's vertical merge); a row with fewer columns than
    # the one above (a full-width group row, a horizontal merge) stays in the same table.
    ys = sorted(horizontal)
    crossing = _crossings(ys, vertical, max_cells)
    if crossing is None:
        return None
    tables: list[list[list[_Box]]] = []
    above: list[_Box] | None = None  # the row just above, when it belongs to a table
    for band in range(len(ys) - 2, -1, -1):  # PDF y grows upwards: top of the page first
        bottom, top = ys[band], ys[band + 1]
        xs = sorted(crossing.get(band, ()))
        if len(xs) < 2:
            above = None
            continue
        ruled = _merged(horizontal[top])
        row = []
        for x0, x1 in zip(xs, xs[1:], strict=False):
            box = _Box(x0, x1, top, bottom)
            if above is not None and not _spans(ruled, x0, x1):
                origin = next(
                    (b for b in above if abs(b.x0 - x0) <= _SNAP and abs(b.x1 - x1) <= _SNAP),
                    None,
                )
                if origin is not None:
                    box.merged = True
                    box.top = origin.top  # the text sits in the merged cell's first rows
            row.append(box)
        if above is None:
            tables.append([])
        tables[-1].append(row)
        above = row
    return tables


def _spans(merged: list[tuple[float, float]], x0: float, x1: float) -> bool:
    """Whether the merged rule spans cover the middle of [x0, x1] (a ruled cell edge)."""
    middle = (x0 + x1) / 2
    return (
        _within(merged, middle)
        and _within(merged, x0 + _SNAP * 2)
        and _within(merged, x1 - _SNAP * 2)
    )


def pdfium_tables(
    page: pdfium.PdfPage,
    textpage: pdfium.PdfTextPage,
    wants_paragraphs: Callable[[Table], bool] | None = None,
) -> list[Table] | None:
    """Grids of ruled cells on a page; None if it has enough rules for a table but no plain grid.

    For a table ``wants_paragraphs`` accepts, each short cell of several lines also gets its
    paragraph breaks (Cell.breaks), read from the glyphs' positions.
    """
    # A page drawing more rules, or ruling more cells, than limits.max_ruled_lines has no
    # tables read at all (not even by pdfplumber, slower still); its text is read as any page's.
    cap = limits.current().max_ruled_lines
    rules = _rules(page, cap)
    if rules is None:
        return []
    horizontal, vertical = rules
    if len(horizontal) < 3 or len(vertical) < 2:
        return []  # a header underline or a box, not a table
    grids = _grid(horizontal, vertical, cap)
    if grids is None:
        return []
    height = page.get_height()
    tables = []
    glyphs: list[Glyph] | None = None  # the page's glyphs, read once if a table wants them
    for grid in grids:
        table = Table(_read_cells(grid, textpage), grid[0][0].top > height * (1 - _TOP_FRACTION))
        if wants_paragraphs is not None and wants_paragraphs(table):
            glyphs = page_glyphs(textpage) if glyphs is None else glyphs
            _add_breaks(table, glyphs)
        tables.append(table)
    return tables if tables else None


def _read_cells(grid: list[list[_Box]], textpage: pdfium.PdfTextPage) -> list[list[Cell]]:
    """Each cell's text; a merged cell's text is read over its whole height, in its first row."""
    # A merged box's top is its first row's: its last row knows the whole rectangle.
    whole: dict[tuple[float, float, float], float] = {}
    for row in grid:
        for box in row:
            whole[(box.x0, box.x1, box.top)] = box.bottom
    rows = []
    for row in grid:
        cells = []
        for box in row:
            if box.merged:
                cells.append(Cell("", box.x0, box.x1, merged=True))
                continue
            bottom = whole[(box.x0, box.x1, box.top)]
            text = textpage.get_text_bounded(
                box.x0 + 0.5, bottom + 0.5, box.x1 - 0.5, box.top - 0.5
            )
            cells.append(Cell(normalise(text), box.x0, box.x1, bottom=bottom, top=box.top))
        rows.append(cells)
    return rows


# Only cells this short are split into paragraphs: agency cells, not recommendations' text.
_PARAGRAPH_CELL_CHARS = 400


def _add_breaks(table: Table, glyphs: list[Glyph]) -> None:
    for row in table.rows:
        for cell in row:
            if "\n" not in cell.text or len(cell.text) > _PARAGRAPH_CELL_CHARS:
                continue
            found = paragraph_breaks(glyphs, cell.x0, cell.bottom, cell.x1, cell.top)
            # Trusted only when the glyphs' lines are the text's lines.
            if found is not None and (not found or max(found) < cell.text.count("\n")):
                cell.breaks = found


class PdfiumTables(AbstractContextManager):
    """Tables page by page from PDFium; ``fallback`` lists pages its grids could not read."""

    def __init__(self, path: Path, wants_paragraphs: Callable[[Table], bool] | None = None):
        self.doc = pdfium.PdfDocument(path)
        self.fallback: list[int] = []
        self.wants_paragraphs = wants_paragraphs

    def __call__(self, index: int) -> list[Table]:
        page = self.doc[index]
        textpage = page.get_textpage()
        try:
            tables = pdfium_tables(page, textpage, self.wants_paragraphs)
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
        tables = [_plumber_table(t, page.height) for t in page.find_tables()]
        page.close()
        return tables

    def __exit__(self, *exc) -> None:
        self.pdf.close()


def _plumber_table(table, height: float) -> Table:
    """pdfplumber's table as ours: a merged cell's later parts (None) are marked merged."""
    columns = [c.bbox for c in table.columns]
    rows = []
    for texts, row in zip(table.extract(), table.rows, strict=True):
        cells = []
        for j, (text, box) in enumerate(zip(texts, row.cells, strict=True)):
            box = box or columns[min(j, len(columns) - 1)]
            cells.append(Cell(normalise(text or ""), box[0], box[2], merged=text is None))
        rows.append(cells)
    return Table(rows, table.bbox[1] < height * _TOP_FRACTION)


TableSource = Callable[[int], list[Table]]

"""Recommendations read from ruled tables: plain lists, grouped tables and action plans.

A recommendations table is found by its header row: a cell naming the recommendation and
one naming the agency (a chronology's "Date | Agency | Contact | Action taken" is not one).
Its rows are followed over page breaks (a header repeated on each page is skipped, a row
broken by the page is joined), past full-width group rows ("Single agency
recommendations"), and through merged cells: an agency cell merged down several rows is the
addressee of each, and a recommendation merged over several action rows is one
recommendation addressed to the lead agencies of all its rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from search_service.corpus.pdf.addressees import cell_addressees
from search_service.corpus.pdf.tables import Cell, PdfiumTables, PlumberTables, Table, TableSource
from search_service.corpus.pdf.text import Dehyphenator
from search_service.model import Recommendation

_NUMBER_HEADER = re.compile(
    r"^(?:no\.?|number|#|ref\.?|reference|rec\.?\s*(?:no\.?)?|recommendation\s+(?:no\.?|number))$",
    re.I,
)
_TEXT_HEADER = re.compile(r"\brecommendations?\b", re.I)
# Agency headers, the most telling first: "Lead agency" beats "Partner agencies".
_AGENCY_HEADERS = [
    re.compile(p, re.I)
    for p in (
        r"\blead\b",
        r"addressed",
        r"responsib|owner",
        r"^(?:agency|agencies|organi[sz]ations?)$",
        r"agency|agencies|organi[sz]ation",
    )
]
_NOT_AGENCY_HEADER = re.compile(r"shared|inform|partner|support|consult", re.I)
_LABEL = re.compile(r"^(?:recommendation\s+|rec\.?\s*|r)?(\d+[a-z]?)(?:[.):]\s*|\s+|$)", re.I)
_SENTENCE_END = re.compile(r"[.;:!?)\u201d\"']$")
# Text this short naming a page header ("OFFICIAL") is a header cell, not a recommendation.
_PAGE_WORDS = re.compile(r"^(?:official(?:-sensitive)?|page \d+( of \d+)?)$", re.I)


@dataclass
class Columns:
    """Where a table's number, text and agency columns lie, from its header row."""

    spans: list[tuple[float, float]]
    text: int
    agency: int | None
    number: int | None

    def cell(self, row: list[Cell], column: int | None) -> Cell | None:
        """The row's cell under a header column (a merged cell may lie under several)."""
        if column is None:
            return None
        x0, x1 = self.spans[column]
        middle = (x0 + x1) / 2
        return next((c for c in row if c.x0 - 1 <= middle <= c.x1 + 1), None)

    def same_grid(self, row: list[Cell]) -> bool:
        """Whether a row has this header's columns (a table continued on the next page)."""
        return len(row) == len(self.spans) and all(
            abs(c.x0 - a) < 3 and abs(c.x1 - b) < 3
            for c, (a, b) in zip(row, self.spans, strict=True)
        )

    def is_group_row(self, row: list[Cell]) -> bool:
        """A full-width row ("Single agency recommendations"): one cell over every column."""
        if len(self.spans) < 2:
            return False
        first, last = self.cell(row, 0), self.cell(row, len(self.spans) - 1)
        if first is not None and first is last:
            return True
        # pdfplumber gives a horizontally merged cell's later parts as empty merged cells.
        return len(row) > 1 and not row[0].merged and all(c.merged for c in row[1:])


def header_columns(row: list[Cell]) -> Columns | None:
    """The columns a header row names, or None when it is not a recommendations header."""
    cells = [c.text.strip() for c in row]
    if not cells or any(len(c) > 40 for c in cells):
        return None
    number = next((i for i, c in enumerate(cells) if _NUMBER_HEADER.match(c)), None)
    text = next((i for i, c in enumerate(cells) if i != number and _TEXT_HEADER.search(c)), None)
    if text is None:
        return None
    agency = None
    for pattern in _AGENCY_HEADERS:
        agency = next(
            (
                i
                for i, c in enumerate(cells)
                if i not in (number, text)
                and pattern.search(c)
                and not _NOT_AGENCY_HEADER.search(c)
            ),
            None,
        )
        if agency is not None:
            break
    if agency is None:
        return None
    return Columns([(c.x0, c.x1) for c in row], text, agency, number)


@dataclass
class _Row:
    page: int  # 1-based
    cells: list[Cell]
    columns: Columns
    continued: bool  # the first rows of a table carried on from the page before


def _table_rows(tables: TableSource, candidates: list[int], n_pages: int) -> Iterator[_Row]:
    """Rows of recommendation tables, followed over page breaks, headers left out."""
    columns: Columns | None = None
    last_page = -2
    for index in range(n_pages):
        continuing = columns is not None and index == last_page + 1
        if not continuing and index not in candidates:
            continue
        found = False
        for table in tables(index):
            rows = table.rows
            header = header_columns(rows[0]) if rows else None
            carried = continuing and table.at_top and not found
            if header is not None:
                carried = carried and _same_header(header, columns)
                columns, rows = header, rows[1:]
            elif not (carried and columns is not None and columns.same_grid(rows[0])):
                continue
            found = True
            for i, row in enumerate(rows):
                if header_columns(row) is None:  # a header repeated lower down
                    yield _Row(index + 1, row, columns, carried and i == 0)
        if found:
            last_page = index
        elif index == last_page + 1:
            columns = None  # the table ended on the page before


def _same_header(header: Columns, before: Columns | None) -> bool:
    return before is not None and len(header.spans) == len(before.spans)


# Header words, lower case, for a quick look at a page's text.
_TEXT_WORD = "recommendation"
_AGENCY_WORDS = ("agenc", "lead", "organis", "organiz", "addressed", "responsib", "owner")


def table_candidate_pages(pages: list[str]) -> list[int]:
    """0-based pages that may hold a recommendations table: its header's words are there."""
    # Cheap and generous: reading a page's ruled grid costs about a millisecond, and a
    # header's cells are not always together (or even in order) in the page's text.
    found = []
    for index, page in enumerate(pages):
        lower = page.lower()
        if _TEXT_WORD in lower and any(word in lower for word in _AGENCY_WORDS):
            found.append(index)
    return found


def _is_recommendations_table(table: Table) -> bool:
    """Whether a table has a recommendations header row (its own, or repeated at its top)."""
    return bool(table.rows) and header_columns(table.rows[0]) is not None


def _rows(path: Path, candidates: list[int], n_pages: int) -> list[_Row]:
    """Table rows from PDFium's ruled grids, or from pdfplumber where those don't form a grid."""
    with PdfiumTables(path, wants_paragraphs=_is_recommendations_table) as source:
        rows = list(_table_rows(source, candidates, n_pages))
        fallback = source.fallback
    if rows or not fallback:
        return rows
    wanted = sorted({q for p in fallback for q in range(p, min(p + 4, n_pages))})
    with PlumberTables(path, wanted) as source:
        return list(_table_rows(source, fallback, n_pages))


class _Reader:
    """Turns table rows into recommendations, one row at a time."""

    def __init__(self, dehyphenate: Dehyphenator):
        self.dehyphenate = dehyphenate
        self.recs: list[Recommendation] = []
        self.numbered = False
        # The agency cells of the recommendation being read, and the last one seen.
        self.agency_texts: list[str] = []
        self.last_agency = ""

    def _text(self, cell: Cell | None) -> str:
        if cell is None or cell.merged:
            return ""
        return self.dehyphenate.cell(cell.text.replace("\uf0b7", " ").replace("\u2022", " "))

    def _agency_text(self, row: _Row) -> str | None:
        """The agency cell's text, a line per paragraph; None when merged from the row above."""
        cell = row.columns.cell(row.cells, row.columns.agency)
        if cell is None:
            return ""
        if cell.merged or (row.continued and not cell.text.strip()):
            return None
        return "\n".join(self.dehyphenate.cell(p) for p in cell.paragraphs())

    def row(self, row: _Row) -> None:
        """Read one row: a new recommendation, or more of the one above."""
        cols = row.columns
        if cols.is_group_row(row.cells):
            return
        text_cell = cols.cell(row.cells, cols.text)
        number = self._text(cols.cell(row.cells, cols.number)).rstrip(".")
        text = self._text(text_cell)
        if not number and (m := _LABEL.match(text)) and (m.end() < len(text) or m[0] != text):
            number, text = m[1], text[m.end() :].strip()
        agency = self._agency_text(row)
        current = self.recs[-1] if self.recs else None
        merged = text_cell is not None and text_cell.merged
        if current is not None and not number:
            if self._broken(row, current) and agency:
                # The rest of a row the page broke: its agency cell goes on, a name broken with
                # a hyphen ("Con-" / "stabulary") rejoined, else a name per paragraph.
                before = self.agency_texts[-1]
                if before.endswith("-"):
                    first, *rest = agency.split("\n")
                    agency = "\n".join([self.dehyphenate.cell(f"{before}\n{first}"), *rest])
                else:
                    agency = f"{before}\n{agency}"
                self.agency_texts[-1] = agency
                self._set_agencies(current)
                agency = ""
            if merged or not text or self._broken(row, current):
                # An action row of the recommendation above, or the rest of a broken row.
                if text:
                    if not current.text:  # the page broke after its label: it starts here
                        current.page = row.page
                    # A word the page broke ("pro-" / "fessional") is rejoined as a line's is.
                    current.text = self.dehyphenate.cell(f"{current.text}\n{text}")
                if agency:
                    self.agency_texts.append(agency)
                    self._set_agencies(current)
                return
        if not text and not number or _PAGE_WORDS.match(text):
            return
        self.numbered = self.numbered or bool(number)
        rec = Recommendation(
            review_id="",
            number=number or str(len(self.recs) + 1),
            text=text,
            addressees=[],
            page=row.page,
            source="table",
        )
        # A merged agency cell names the agency of every row it spans.
        self.agency_texts = [self.last_agency if agency is None else agency]
        self._set_agencies(rec)
        self.recs.append(rec)

    def _set_agencies(self, rec: Recommendation) -> None:
        names: list[str] = []
        for text in self.agency_texts:
            names.extend(n for n in cell_addressees(text) if n not in names)
        rec.addressees = names
        rec.addressed_to = "; ".join(names)
        self.last_agency = self.agency_texts[-1]

    def _broken(self, row: _Row, current: Recommendation) -> bool:
        # The first row of a page that carries a table on: the rest of the row above when the
        # table numbers its rows (this one has none) or the text above stopped mid-sentence.
        return row.continued and (self.numbered or not _SENTENCE_END.search(current.text))


def table_recommendations(
    path: Path, pages: list[str], dehyphenate: Dehyphenator
) -> list[Recommendation]:
    """Recommendations from ruled tables whose header names a recommendation and an agency."""
    candidates = table_candidate_pages(pages)
    if not candidates:
        return []
    reader = _Reader(dehyphenate)
    for row in _rows(path, candidates, len(pages)):
        reader.row(row)
    return [rec for rec in reader.recs if rec.text]


__all__ = ["Table", "table_recommendations", "header_columns", "table_candidate_pages"]

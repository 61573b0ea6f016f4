"""Find a report's recommendations: in a ruled table (via pdfplumber) or as numbered paragraphs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from search_service.corpus.pdf.tables import PdfiumTables, PlumberTables, TableSource
from search_service.corpus.pdf.text import Dehyphenator
from search_service.model import Recommendation

HEADING = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+|section\s+\d+\s*[:.-]?\s*)?"
    r"(?:summary of |the review'?s? |overview report |single agency |multi-agency )?"
    r"recommendations\s*:?$",
    re.IGNORECASE,
)
# Where a numbered recommendations list ends.
_STOP = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:appendix|appendices|annex|glossary|references|bibliography|"
    r"conclusions?|lessons learn|action plan|terms of reference|signed\b)",
    re.IGNORECASE,
)
_ITEM = re.compile(
    r"^(?:recommendation\s+(?P<a>\d+[a-z]?)\b\s*[:.)\-\u2013]?|(?P<b>\d+[a-z]?)[.)]|"
    r"R(?P<c>\d+[a-z]?)\b\s*[:.)\-\u2013]?)\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_NUMBER_CELL = re.compile(
    r"^(?:no\.?|number|#|ref\.?|reference|rec\.?\s*(?:no\.?)?|recommendation\s+(?:no\.?|number))$",
    re.I,
)
_REC_CELL = re.compile(r"recommendation|action", re.I)
_AGENCY_CELL = re.compile(r"agency|agencies|lead|addressed|organi[sz]ation|responsib|owner", re.I)
_LEADING_NUMBER = re.compile(r"^(?:R|Recommendation\s+)?(\d+[a-z]?)[.):]?\s+", re.I)

ORG_SUFFIXES = (
    "Police|Constabulary|Council|Partnership|Trust|Service|Services|Board|Office|Team|Group|"
    "Authority|Agency|Department|Commissioner|Probation|Hospital|CCG|ICB|Practice|Centre|Unit|"
    "Association|Panel|Network|Foundation|Executive|Government|Ministry|College"
)
_ORG = re.compile(
    r"(?:[A-Z][\w'\u2019&-]*\s+(?:(?:of|and|for|&|on|upon|the)\s+)?)*(?:" + ORG_SUFFIXES + r")\b"
)
# Capitalised sentence openers that are not part of an organisation's name.
_NOT_NAME = frozenset(
    {"That", "The", "This", "These", "All", "Each", "Every", "Both", "A", "An", "In", "On"}
    | {"For", "And", "Where", "When", "If", "It", "Local", "Recommendation", "Recommendations"}
    | {"Whilst", "While", "Also", "Further"}
)


@dataclass
class _Columns:
    count: int
    text: int
    agency: int | None
    number: int | None


def agencies_in(text: str) -> list[str]:
    """Organisation names a sentence addresses, e.g. 'That Greater Manchester Police ...'."""
    found: list[str] = []
    for match in _ORG.finditer(text):
        words = match[0].split()
        while words and (words[0] in _NOT_NAME or words[0].islower()):
            words.pop(0)
        for name in _split_joined(" ".join(words)):
            if len(name.split()) > 1 and name not in found:
                found.append(name)
    return found


def _split_joined(name: str) -> list[str]:
    """'Greater Manchester Police and Bolton Council' -> both names."""
    parts = re.split(r"\s+(?:and|&)\s+", name)
    if len(parts) > 1 and all(re.search(rf"\b(?:{ORG_SUFFIXES})$", p) for p in parts):
        return parts
    return [name]


# Not agencies.split_addressees (the rule for review pages): this rule splits on
# bullets and at every comma, and at "and" only between two names that end in an
# ORG_SUFFIXES word. The two disagree on e.g. "Police and Crime Commissioner" and
# "Council (Housing, Children's Services)", and these names are in the index and the PDF
# cache, so switching rules is a change of extraction output (bump EXTRACTOR_VERSION).
def split_cell_addressees(cell: str) -> list[str]:
    """A PDF table's agency cell ('Bolton NHS Foundation Trust; Bolton CCG') -> names as written."""
    names = []
    for part in re.split(r"\s*[;,/\n]\s*|\s+\u2022\s*", cell):
        names.extend(_split_joined(part.strip(" .")))
    return [n for n in names if n]


def find_headings(pages: list[str]) -> list[tuple[int, int]]:
    """(page index, line index) of every 'Recommendations' heading (contents lines don't match)."""
    return [
        (p, i)
        for p, page in enumerate(pages)
        for i, line in enumerate(page.split("\n"))
        if HEADING.match(line.strip())
    ]


def table_candidate_pages(pages: list[str]) -> list[int]:
    """0-based pages that may hold a recommendations table: a heading or a header row."""
    found = {p for p, _ in find_headings(pages)}
    for p, page in enumerate(pages):
        if p in found or not _REC_CELL.search(page):
            continue
        lines = page.split("\n")
        for i, line in enumerate(lines):
            # Header cells are short; the agency cell may sit a line or two either side.
            if len(line) < 60 and _REC_CELL.search(line):
                window = " ".join(lines[max(0, i - 2) : i + 3])
                if len(window) < 160 and _AGENCY_CELL.search(window):
                    found.add(p)
                    break
    return sorted(found)


def _header_columns(row: list[str | None]) -> _Columns | None:
    cells = [(c or "").strip() for c in row]
    number = next((i for i, c in enumerate(cells) if _NUMBER_CELL.match(c)), None)
    text = next(
        (i for i, c in enumerate(cells) if i != number and _REC_CELL.search(c) and len(c) < 40),
        None,
    )
    agency = next(
        (i for i, c in enumerate(cells) if i not in (number, text) and _AGENCY_CELL.search(c)), None
    )
    if text is None or agency is None:
        return None
    return _Columns(len(cells), text, agency, number)


def _table_rows(
    tables: TableSource, candidates: list[int], n_pages: int
) -> Iterator[tuple[int, list[str], _Columns]]:
    """(1-based page, row cells, columns) of recommendation tables, followed over page breaks."""
    columns: _Columns | None = None
    last_page = -2
    for index in range(n_pages):
        continuing = columns is not None and index == last_page + 1
        if not continuing and index not in candidates:
            continue
        found = False
        for table in tables(index):
            rows = table.rows
            header = _header_columns(rows[0]) if rows else None
            if header is not None:
                columns, rows = header, rows[1:]
            elif not (continuing and table.at_top and len(rows[0]) == columns.count):
                continue
            found = continuing = True
            for row in rows:
                if _header_columns(row) is None:  # headers repeated on each page are not rows
                    yield index + 1, row, columns
        if found:
            last_page = index
        elif index == last_page + 1:
            columns = None  # the table ended on the page before


def _rows(path: Path, candidates: list[int], n_pages: int) -> list[tuple[int, list[str], _Columns]]:
    """Table rows from PDFium's ruled grids, or from pdfplumber where those don't form a grid."""
    with PdfiumTables(path) as source:
        rows = list(_table_rows(source, candidates, n_pages))
        fallback = source.fallback
    if rows or not fallback:
        return rows
    wanted = sorted({q for p in fallback for q in range(p, min(p + 4, n_pages))})
    with PlumberTables(path, wanted) as source:
        return list(_table_rows(source, fallback, n_pages))


def table_recommendations(
    path: Path, pages: list[str], dehyphenate: Dehyphenator
) -> list[Recommendation]:
    """Recommendations from ruled tables whose header names a recommendation and an agency."""
    recs: list[Recommendation] = []
    candidates = table_candidate_pages(pages)
    if not candidates:
        return recs
    for page_no, row, cols in _rows(path, candidates, len(pages)):
        text = dehyphenate.cell(row[cols.text])
        agency = dehyphenate.cell(row[cols.agency]) if cols.agency is not None else ""
        number = dehyphenate.cell(row[cols.number]) if cols.number is not None else ""
        if not text:
            continue
        if not number and (m := _LEADING_NUMBER.match(text)):
            number, text = m[1], text[m.end() :]
        if not number and recs and cols.number is not None:
            # A row split by a page break: its continuation has no number of its own.
            prev = recs[-1]
            prev.text = f"{prev.text} {text}"
            if agency:
                prev.addressed_to = f"{prev.addressed_to} {agency}".strip()
                prev.addressees = split_cell_addressees(prev.addressed_to)
            continue
        recs.append(
            Recommendation(
                review_id="",
                number=number.rstrip(".") or str(len(recs) + 1),
                text=text,
                addressees=split_cell_addressees(agency),
                addressed_to=agency,
                page=page_no,
                source="table",
            )
        )
    return recs


def _follows(number: str, previous: str | None) -> bool:
    """Whether an item number can come next ('2' after '1', '3a' after '3', '4' after '3b')."""
    if previous is None:
        return True
    n, p = int(re.match(r"\d+", number)[0]), int(re.match(r"\d+", previous)[0])
    return n == p + 1 or (n == p and number > previous)


def numbered_recommendations(pages: list[str], dehyphenate: Dehyphenator) -> list[Recommendation]:
    """Numbered paragraphs under the last 'Recommendations' heading that has any."""
    for page_index, line_index in reversed(find_headings(pages)):
        recs = _numbered_after(pages, page_index, line_index, dehyphenate)
        if recs:
            return recs
    return []


def _numbered_after(pages, page_index, line_index, dehyphenate) -> list[Recommendation]:
    items: list[tuple[str, int, list[str]]] = []  # number, page, lines
    for p in range(page_index, len(pages)):
        lines = pages[p].split("\n")
        for line in lines[line_index + 1 :] if p == page_index else lines:
            line = line.strip()
            if not line:
                continue
            if _STOP.match(line) or HEADING.match(line):
                return _finish(items, dehyphenate)
            m = _ITEM.match(line)
            number = m and (m["a"] or m["b"] or m["c"])
            if number and _follows(number, items[-1][0] if items else None):
                items.append((number, p + 1, [m["rest"]]))
            elif items:
                items[-1][2].append(line)
    return _finish(items, dehyphenate)


def _finish(items, dehyphenate: Dehyphenator) -> list[Recommendation]:
    recs = []
    for number, page, lines in items:
        text = dehyphenate.cell("\n".join(lines))
        names = agencies_in(text)
        recs.append(
            Recommendation("", number, text, names, "; ".join(names), page=page, source="list")
        )
    return recs

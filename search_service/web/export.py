"""Export formats: rows from search/service.export streamed as CSV or JSON text, and their file names."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator

# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows per yielded piece of text: big enough to be cheap, small enough to keep memory flat.
ROWS_PER_PIECE = 200


def csv_safe(value: object) -> object:
    """A cell value that a spreadsheet will not run: text starting like a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: object) -> object:
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    return "" if value is None else csv_safe(value)


def csv_pieces(columns: Iterable[str], rows: Iterable[dict]) -> Iterator[str]:
    """CSV text a few hundred rows at a time, starting with a BOM and the header row.

    The BOM makes Excel, which most of our users open exports in, read UTF-8 correctly.
    """
    columns = list(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for i, row in enumerate(rows, start=1):
        writer.writerow([_cell(row.get(c)) for c in columns])
        if i % ROWS_PER_PIECE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def json_pieces(header: dict, rows: Iterable[dict]) -> Iterator[str]:
    """One JSON object, header keys then "results": [...], a few hundred rows at a time."""
    head = json.dumps(header, ensure_ascii=False)
    yield head[:-1] + (', "results": [' if header else '"results": [')
    piece: list[str] = []
    for i, row in enumerate(rows):
        piece.append(("," if i else "") + "\n" + json.dumps(row, ensure_ascii=False))
        if len(piece) == ROWS_PER_PIECE:
            yield "".join(piece)
            piece = []
    yield "".join(piece) + "\n]}\n"


def slug(text: str, limit: int = 60) -> str:
    """Lower-case ASCII words joined by hyphens: 'Forensic “curiosity”' -> 'forensic-curiosity'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = "-".join(words)[:limit].strip("-")
    return out


def filename(query: str, extension: str, today: dt.date | None = None) -> str:
    """A download name that says what and when: dhr-search-forensic-curiosity-2026-11-26.csv."""
    today = today or dt.datetime.now(dt.UTC).date()
    middle = slug(query) or "all"
    return f"dhr-search-{middle}-{today.isoformat()}.{extension}"

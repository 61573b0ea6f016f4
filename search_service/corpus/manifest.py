"""manifest.csv, read one line at a time so that one bad row costs that row and no other.

A manifest row names a corpus file and its links (``file,pdf_url,source_url``); no cell of
one ever holds a line break, so each line is parsed as a CSV row of its own. That is what
keeps a stray quote from swallowing the rest of the file, as a CSV reader would. Each bad row
is a Skipped naming its line: a line that is not UTF-8, a quote never closed on its line, more
cells than the header has columns (empty trailing cells, as spreadsheets write, are fine;
missing trailing cells are empty), a row with cells but no file name, and a second row for
a file already named: **the first row for a file wins**, and each later one is reported.
Blank lines and rows of empty cells are passed over. A manifest that cannot be read at all
(too large, not a file, no ``file`` column) is one Skipped, and no links are read from it.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from search_service.corpus.limits import MAX_MANIFEST_BYTES, megabytes
from search_service.corpus.listing import entry_problem
from search_service.model import Skipped

MANIFEST = "manifest.csv"
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_BOM = b"\xef\xbb\xbf"


@dataclass
class ManifestRow:
    """One good row: its line number, the file it names, and its cells by column name."""

    line: int
    file: str
    # Column names lower-cased and stripped; cells exactly as written.
    cells: dict[str, str]

    def get(self, column: str) -> str:
        """The cell of a column, stripped; '' when the row or the header has none."""
        return self.cells.get(column, "").strip()


@dataclass
class Manifest:
    """What reading manifest.csv produced: the good rows, and a Skipped for each bad one."""

    rows: list[ManifestRow] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # False when the file exists but could not be read as a whole (then rows is empty).
    readable: bool = True

    def bad_line(self, number: int) -> Callable[[str], None]:
        """A function recording line `number` as skipped for the reason it is given."""
        return lambda reason: self.skipped.append(Skipped(MANIFEST, f"line {number}: {reason}"))


def _unreadable(reason: str) -> Manifest:
    return Manifest(skipped=[Skipped(MANIFEST, reason)], readable=False)


def _read_bytes(path: Path, folder: Path) -> bytes | Manifest:
    problem = entry_problem(path, folder)
    if problem:
        return _unreadable(f"manifest.csv: {problem}")
    try:
        with path.open("rb") as fh:
            # Read one byte past the limit, so a file growing while we read is still caught.
            data = fh.read(MAX_MANIFEST_BYTES + 1)
    except OSError as exc:
        return _unreadable(f"manifest.csv could not be read: {str(exc.strerror or exc).lower()}")
    if len(data) > MAX_MANIFEST_BYTES:
        size = max(len(data), os.stat(path).st_size)
        return _unreadable(
            f"manifest.csv is {megabytes(size)}, over the {megabytes(MAX_MANIFEST_BYTES)} "
            "limit: no links were read from it"
        )
    return data.removeprefix(_BOM)


def _cells(text: str) -> list[str]:
    # The added line break is where an unclosed quote shows: the cell holding it ends in "\n".
    return next(csv.reader([text + "\n"]), [])


def read_manifest_rows(folder: Path) -> Manifest:
    """Read folder's manifest.csv into good rows and line-numbered Skipped ones (first row wins)."""
    path = folder / MANIFEST
    if not os.path.lexists(path):
        return Manifest()
    data = _read_bytes(path, folder)
    if isinstance(data, Manifest):
        return data
    lines = _LINE_BREAK.split(data)
    manifest = Manifest()
    columns: list[str] | None = None
    first_row: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        bad = manifest.bad_line(number)
        try:
            cells = _cells(raw.decode("utf-8"))
        except UnicodeDecodeError:
            if columns is None:
                return _unreadable("manifest.csv could not be read: its header is not UTF-8 text")
            bad("not UTF-8 text")
            continue
        except csv.Error as exc:
            bad(f"not a CSV row ({exc})")
            continue
        if columns is None:
            columns = [c.strip().lower() for c in cells]
            if "file" not in columns:
                return _unreadable("manifest.csv has no 'file' column")
            continue
        if any(c.endswith("\n") for c in cells):
            bad("a quote is opened and never closed on this line")
            continue
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
            bad(f"{len(cells)} columns, expected {len(columns)}")
            continue
        by_column: dict[str, str] = {}
        # Not strict: missing trailing cells are empty, and extra ones are empty (checked above).
        for column, cell in zip(columns, cells, strict=False):
            by_column.setdefault(column, cell)  # a repeated column name: its first cell
        row = ManifestRow(number, by_column.get("file", "").strip(), by_column)
        if not row.file:
            if any(c.strip() for c in cells):
                bad("no file name in the 'file' column")
            continue
        if row.file in first_row:
            bad(f"a second row for {row.file} (line {first_row[row.file]} is kept)")
            continue
        first_row[row.file] = number
        manifest.rows.append(row)
    if columns is None:
        return _unreadable("manifest.csv has no 'file' column")  # empty, or blank lines only
    return manifest

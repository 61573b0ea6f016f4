"""What changed in a corpus folder since the last build, by content hash, for `index --update`.

A review is named by its page's file stem, and its PDF (when there is one) shares that stem,
so a change to any file with a given stem, or to that stem's manifest.csv row, makes the
review dirty. Dirty reviews are re-read through the same corpus reader a full build uses,
limited to their files; the folder is listed by the same rule (corpus/listing.py) and the
manifest parsed by the same parser (corpus/manifest.py), so a full build and an update see
the same files, rows and skips.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from search_service.corpus.digest import file_sha256
from search_service.corpus.folder import (
    MANIFEST,
    PAGE_SUFFIXES,
    PDF_SUFFIX,
    iter_corpus,
    pdf_owners,
    read_manifest,
)
from search_service.corpus.listing import entry_problem, list_folder
from search_service.corpus.manifest import read_manifest_rows
from search_service.model import Review, Skipped

# Manifest rows are fingerprinted one by one under this prefix, so editing one row re-reads
# one review, not all of them.
ROW = MANIFEST + ":"


def _stem(key: str) -> str:
    return Path(key[len(ROW) :] if key.startswith(ROW) else key).stem


# A file that cannot be hashed (unreadable) still gets an entry, so --update re-reads it and
# the reader reports why, and re-reads it again once it can be hashed.
UNREADABLE = "unreadable"


def _sha256(path: Path) -> str:
    try:
        return file_sha256(path)
    except OSError:
        return UNREADABLE


def fingerprint(folder: Path) -> dict[str, str]:
    """{file name: sha256} for every corpus file in folder, plus one entry per good manifest row."""
    listed, _ = list_folder(folder, skip_names=(MANIFEST,))
    files = {p.name: _sha256(p) for p in listed}
    manifest = read_manifest_rows(folder)
    for row in manifest.rows:
        text = json.dumps(row.cells, sort_keys=True).encode()
        files[ROW + row.file] = hashlib.sha256(text).hexdigest()
    path = folder / MANIFEST
    if not manifest.readable and entry_problem(path, folder) is None:
        files[MANIFEST] = _sha256(path)  # unreadable: the full reader reports why
    return files


@dataclass
class Changes:
    """An incremental update: review ids to drop, reviews to (re)add, the new file map."""

    remove: set[str]
    add: Iterator[Review]
    files: dict[str, str]
    reread: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    # Ids of the reviews that still have a page or a report PDF in the folder.
    present: set[str] = field(default_factory=set)

    @property
    def gone(self) -> set[str]:
        """Ids of reviews whose files have all been deleted."""
        return self.remove - self.present


@contextmanager
def changed_corpus(
    folder: Path,
    old_files: dict[str, str],
    old_skipped: list[dict],
    progress: Callable[[int, int, str], None] | None = None,
    pdf_cache: Path | None = None,
) -> Iterator[Changes]:
    """The Changes that bring an index of old_files up to date with folder (valid while open)."""
    folder = Path(folder)
    new_files = fingerprint(folder)
    # A report PDF tied to a page by manifest.csv belongs to that page's review.
    owners = pdf_owners(read_manifest(folder)[0])

    def review_of(key: str) -> str:
        return owners.get(key, _stem(key))

    dirty = {
        review_of(k)
        for k in old_files.keys() | new_files.keys()
        if old_files.get(k) != new_files.get(k)
    }
    reread = sorted(
        k for k in new_files if not k.startswith(ROW) and k != MANIFEST and review_of(k) in dirty
    )
    # Reviews whose files are gone, changed, or new: every dirty stem that had a page or a PDF.
    remove = {
        review_of(k)
        for k in old_files
        if Path(k).suffix.lower() in (*PAGE_SUFFIXES, PDF_SUFFIX) and review_of(k) in dirty
    }
    present = {
        review_of(k) for k in new_files if Path(k).suffix.lower() in (*PAGE_SUFFIXES, PDF_SUFFIX)
    }
    changes = Changes(remove=remove, add=iter(()), files=new_files, reread=reread, present=present)
    # Skips of untouched files still stand. The manifest's rows and the entries that are not
    # files (folders, links, pipes) are judged afresh by the reader with each update.
    changes.skipped = [
        Skipped(s["file"], s["reason"], s.get("indexed", False))
        for s in old_skipped
        if s["file"] in new_files and s["file"] != MANIFEST and review_of(s["file"]) not in dirty
    ]

    changes.add = reviews_noting_skips(
        iter_corpus(folder, progress, pdf_cache, only=reread), changes.skipped
    )
    yield changes


def reviews_noting_skips(items: Iterable[Review | Skipped], skipped: list) -> Iterator[Review]:
    """The reviews of a corpus reading, as read; each Skipped goes to skipped on the way."""
    for item in items:
        if isinstance(item, Skipped):
            skipped.append(item)
        else:
            yield item

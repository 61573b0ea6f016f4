"""What changed in a corpus folder since the last build, by content hash, for `index --update`.

A review is named by its page's file stem, and its PDF (when there is one) shares that stem,
so a change to any file with a given stem, or to that stem's manifest.csv row, makes the
review dirty. Dirty reviews are re-read from a scratch folder of symlinks to just their
files, through the same corpus reader a full build uses.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
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
from search_service.model import Review, Skipped

# Manifest rows are fingerprinted one by one under this prefix, so editing one row re-reads
# one review, not all of them.
ROW = MANIFEST + ":"


def _stem(key: str) -> str:
    return Path(key[len(ROW) :] if key.startswith(ROW) else key).stem


def fingerprint(folder: Path) -> dict[str, str]:
    """{file name: sha256} for every file in folder, plus one entry per manifest.csv row."""
    files = {
        p.name: file_sha256(p)
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".") and p.name != MANIFEST
    }
    manifest = folder / MANIFEST
    if manifest.exists():
        try:
            with manifest.open(newline="", encoding="utf-8-sig") as fh:
                for row in csv.DictReader(fh):
                    name = (row.get("file") or "").strip()
                    if name:
                        text = json.dumps(row, sort_keys=True).encode()
                        files[ROW + name] = hashlib.sha256(text).hexdigest()
        except (OSError, UnicodeDecodeError, csv.Error):
            files[MANIFEST] = file_sha256(manifest)  # unreadable: the full reader reports why
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
    """The Changes that bring an index of old_files up to date with folder (a scratch dir lives while open)."""
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
    with tempfile.TemporaryDirectory(prefix="dhr-update-") as tmp:
        scratch = Path(tmp)
        for name in reread:
            (scratch / name).symlink_to((folder / name).resolve())
        if (folder / MANIFEST).exists():
            shutil.copyfile(folder / MANIFEST, scratch / MANIFEST)
        present = {
            review_of(k)
            for k in new_files
            if Path(k).suffix.lower() in (*PAGE_SUFFIXES, PDF_SUFFIX)
        }
        changes = Changes(
            remove=remove, add=iter(()), files=new_files, reread=reread, present=present
        )
        # Skips of untouched files still stand; the manifest is re-judged with each update.
        changes.skipped = [
            Skipped(s["file"], s["reason"])
            for s in old_skipped
            if s["file"] in new_files and review_of(s["file"]) not in dirty
        ]

        def reviews() -> Iterator[Review]:
            for item in iter_corpus(scratch, progress, pdf_cache):
                if isinstance(item, Skipped):
                    changes.skipped.append(item)
                else:
                    yield item

        changes.add = reviews()
        yield changes

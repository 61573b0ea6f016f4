"""`index --fetch`: report PDFs that manifest.csv names by URL and the folder lacks, fetched.

A row wants its report fetched when its ``pdf_url`` is a link (not a bare local file name)
and its review has no report PDF in the folder: the row names a page that is in the folder
with no PDF of its stem (nor one tied to it), or names a ``.pdf`` that is not in the folder
(a review known only from its report). Everything else in the folder is read as before.

The cache is ``<index-dir>/fetched/``: per URL, ``<sha256 of the URL>.pdf`` and a ``.json``
beside it (url, ETag, Last-Modified, length, sha256 of the content). A copy is current when
the server answers our conditional GET (If-None-Match, If-Modified-Since) with 304, or
answers 200 with the same ETag and Content-Length (then the body is not read); without
either validator the body is downloaded again and, if its sha256 is the one we hold, the
copy is left as it is. A download is written to a temporary file and renamed into place
only once complete and checked, and the .json is written after it, so a killed run leaves
no half-written report (its ``.part`` file is removed by the next run). A failed download
keeps the copy fetched before, which stays indexed: the summary line names the failure.

The index's ``files.json`` holds one ``fetched:<manifest file>`` entry per fetched report
(the sha256 of the copy), so ``--update`` re-reads a review whose report changed upstream.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from search_service.corpus.changes import Changes, reviews_noting_skips
from search_service.corpus.digest import file_sha256
from search_service.corpus.fetch_http import (
    NOT_MODIFIED,
    FetchError,
    FetchLimits,
    Known,
    download,
    from_environment,
    url_problem,
)
from search_service.corpus.folder import (
    MANIFEST,
    PAGE_SUFFIXES,
    PDF_SUFFIX,
    iter_corpus,
    pdf_owners,
    read_manifest,
)
from search_service.corpus.listing import list_folder
from search_service.corpus.manifest import read_manifest_rows
from search_service.model import Skipped

# Beside the index versions (and pdf-cache/), kept across builds.
FETCHED = "fetched"
# files.json keys of fetched reports; build.py keeps them away from corpus/changes.py.
KEY = "fetched:"


@dataclass
class Wanted:
    """A manifest row whose report is to be fetched: the file it names and its pdf_url."""

    file: str
    url: str


@dataclass
class Entry:
    """The .json beside a fetched copy."""

    url: str
    sha256: str
    length: int
    etag: str = ""
    last_modified: str = ""
    fetched_at: str = ""


@dataclass
class FetchRun:
    """What a fetch produced: the copy for each manifest file name, and the failures."""

    paths: dict[str, Path] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    downloaded: int = 0
    current: int = 0

    def files(self) -> dict[str, str]:
        """The files.json entries of the fetched copies: {fetched:<file>: sha256}."""
        return {KEY + name: self.hashes[name] for name in self.paths}

    def line(self) -> str:
        """One line for stderr: how many were downloaded, current, failed."""
        return (
            f"fetched reports: {self.downloaded} downloaded, {self.current} already current, "
            f"{len(self.skipped)} failed"
        )


def wanted_reports(folder: Path) -> tuple[list[Wanted], list[Skipped]]:
    """The manifest rows whose report is fetched, and a Skipped for each link refused."""
    files, _ = list_folder(folder, skip_names=(MANIFEST,))
    names = {p.name for p in files}
    with_pdf = {p.stem for p in files if p.suffix.lower() == PDF_SUFFIX}
    links = read_manifest(folder)[0]
    with_pdf |= set(pdf_owners(links).values())
    wanted: list[Wanted] = []
    refused: list[Skipped] = []
    for row in read_manifest_rows(folder).rows:
        url, suffix = row.get("pdf_url"), Path(row.file).suffix.lower()
        if not url or links[row.file]["pdf_file"]:  # a bare file name ties a local PDF
            continue
        if suffix in PAGE_SUFFIXES:
            if row.file not in names or Path(row.file).stem in with_pdf:
                continue
        elif suffix != PDF_SUFFIX or row.file in names or Path(row.file).stem in with_pdf:
            continue
        problem = url_problem(url)
        if problem:
            refused.append(Skipped(url, problem))
        elif Path(row.file).name != row.file or row.file.startswith("."):
            refused.append(Skipped(url, f"{row.file!r} is not a plain file name"))
        else:
            wanted.append(Wanted(row.file, url))
    return wanted, refused


def fetch_reports(
    folder: Path,
    cache: Path,
    progress: Callable[[int, int, str], None] | None = None,
    limits: FetchLimits | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchRun:
    """Fetch every wanted report into cache, one request at a time; keep current copies."""
    limits = limits or from_environment()
    wanted, refused = wanted_reports(folder)
    run = FetchRun(skipped=refused)
    cache.mkdir(parents=True, exist_ok=True)
    _clear(cache, {_name(w.url) for w in wanted})
    done: dict[str, tuple[Path, str] | None] = {}  # by URL: two rows, one download
    for number, item in enumerate(wanted, start=1):
        if progress:
            progress(number, len(wanted), item.url)
        if item.url not in done:
            if number > 1 and limits.delay:
                sleep(limits.delay)
            done[item.url] = _fetch_one(item.url, cache, limits, sleep, run)
        if done[item.url] is not None:
            run.paths[item.file], run.hashes[item.file] = done[item.url]
            run.urls[item.file] = item.url
    return run


def _name(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:32]


def _clear(cache: Path, keep: set[str]) -> None:
    # Leftovers of a killed download, and copies of links no row names any more.
    for path in cache.iterdir():
        if path.name.endswith(".part") or path.stem not in keep:
            path.unlink(missing_ok=True)


def _held(pdf: Path, meta: Path) -> Entry | None:
    """The entry of a copy whose content is what its .json says, else None."""
    try:
        entry = Entry(**json.loads(meta.read_text()))
        return entry if file_sha256(pdf) == entry.sha256 else None
    except (OSError, ValueError, TypeError):
        return None


def _fetch_one(url: str, cache: Path, limits: FetchLimits, sleep, run: FetchRun):
    pdf, meta = cache / f"{_name(url)}.pdf", cache / f"{_name(url)}.json"
    held = _held(pdf, meta)
    known = Known(held.etag, held.last_modified, held.length) if held else None
    try:
        got = download(url, cache, known, limits, sleep)
    except FetchError as exc:
        kept = " (the copy fetched before is indexed)" if held else ""
        run.skipped.append(Skipped(url, exc.reason + kept))
        return (pdf, held.sha256) if held else None
    if got == NOT_MODIFIED:
        run.current += 1
        return pdf, held.sha256
    if held and got.sha256 == held.sha256:
        got.tmp.unlink()  # the same bytes again: the copy stands, with the new validators
        run.current += 1
    else:
        os.replace(got.tmp, pdf)
        run.downloaded += 1
    entry = Entry(url, got.sha256, got.length, got.etag, got.last_modified, _now())
    tmp = meta.with_name(f".{meta.name}.part")
    tmp.write_text(json.dumps(asdict(entry), indent=1))
    os.replace(tmp, meta)
    return pdf, got.sha256


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def with_fetched(
    changes: Changes,
    folder: Path,
    old_files: dict[str, str],
    old_skipped: list[dict],
    run: FetchRun,
    progress: Callable[[int, int, str], None] | None = None,
    pdf_cache: Path | None = None,
) -> Changes:
    """corpus/changes.py's plan for the folder, widened to the fetched reports (--update).

    A review is re-read when its folder files changed (the plan's) or its fetched copy did
    (a new sha256, a new row, a copy gone); it is read with its fetched copy either way.
    """
    new = run.files()
    old = {k: v for k, v in old_files.items() if k.startswith(KEY)}
    again = {Path(k[len(KEY) :]).stem for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
    # A fetched report skipped last time (unreadable, or its download failed) is judged
    # afresh: re-reading it is a hit in the extraction cache.
    before = {s["file"] for s in old_skipped}
    again |= {Path(f).stem for f, url in run.urls.items() if url in before}
    pages = [
        name
        for name in changes.files
        if Path(name).suffix.lower() in PAGE_SUFFIXES and Path(name).stem in again
    ]
    only = sorted(set(changes.reread) | set(pages))
    read_stems = {Path(name).stem for name in changes.reread} | again
    fetched = {f: p for f, p in run.paths.items() if Path(f).stem in read_stems}
    changes.remove |= again
    changes.present |= {Path(f).stem for f in run.paths}
    changes.files = {**changes.files, **new}
    changes.reread = sorted(set(changes.reread) | {run.urls[f] for f in fetched})
    # Skips carried over for files now read again would be reported twice.
    changes.skipped = [s for s in changes.skipped if Path(s.path).stem not in again]
    changes.skipped += run.skipped

    changes.add = reviews_noting_skips(
        iter_corpus(folder, progress, pdf_cache, only=only, fetched=fetched), changes.skipped
    )
    return changes


def keep_fetched(changes: Changes, old_files: dict[str, str]) -> Changes:
    """An --update without --fetch: reviews read with a fetched copy stay, and so do their
    files.json entries (but not those of reviews re-read now, without their copy)."""
    touched = changes.remove | {Path(name).stem for name in changes.reread}
    changes.files = {
        **changes.files,
        **{
            k: v
            for k, v in old_files.items()
            if k.startswith(KEY) and Path(k[len(KEY) :]).stem not in touched
        },
    }
    return changes

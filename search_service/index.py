"""The Whoosh index: schema, atomic builds into versioned folders, and shared searchers.

Layout of an index folder::

    index/CURRENT          name of the live version (replaced atomically with os.replace)
    index/v-<stamp>/       one complete Whoosh index plus meta.json
    index/.lock            held (flock) by the one writer allowed at a time

Searches never see a half-built index: a build writes a new version folder, and only when
it is complete does CURRENT point at it. This is the only module that writes the index.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import fields
from whoosh import index as windex
from whoosh.analysis import RegexTokenizer
from whoosh.searching import Searcher

from .analysis import analysis_fingerprint, spelling_analyzer, text_analyzer
from .model import Recommendation, Review
from .scoring import pairs_field

# Bump when the schema or analysis changes: an index of another version must be rebuilt.
SCHEMA_VERSION = 3
POINTER = "CURRENT"
LOCK = ".lock"
META = "meta.json"
# Multi-valued exact facet values are joined with tabs: agency names contain spaces.
FACET_SEP = "\t"


class IndexMissingError(RuntimeError):
    """No usable index has been built in this folder yet."""


class IndexLockedError(RuntimeError):
    """Another indexer holds the writer lock."""


class ExactList(fields.KEYWORD):
    """A multi-valued exact field: values joined by tabs, each kept whole (spaces and case)."""

    def __init__(self) -> None:
        super().__init__(stored=False, analyzer=RegexTokenizer(r"[^\t]+"))


def build_schema() -> fields.Schema:
    """The Whoosh schema: one document per hit (recommendation, summary or report page)."""
    prose = text_analyzer()
    return fields.Schema(
        doc_id=fields.ID(stored=True, unique=True),
        type=fields.ID(stored=True),
        review_id=fields.ID(stored=True),
        number=fields.STORED(),
        page=fields.STORED(),
        # Recommendation text is what users cite, so it outweighs titles and agency names.
        text=fields.TEXT(analyzer=prose, stored=True, phrase=True, field_boost=2.0),
        # Adjacent word pairs of text: a two-word phrase is one lookup, no positions read.
        text_pairs=pairs_field(),
        title=fields.TEXT(analyzer=prose, stored=True, phrase=True),
        csp=fields.ID(stored=True),
        region=fields.ID(stored=True),
        addressee=ExactList(),
        sector=ExactList(),
        csp_text=fields.TEXT(analyzer=prose, phrase=True, field_boost=0.5),
        addressee_text=fields.TEXT(analyzer=prose, phrase=True, field_boost=0.5),
        sector_text=fields.TEXT(analyzer=prose, phrase=True, field_boost=0.5),
        # Unstemmed words as written, only for "did you mean" suggestions.
        spell=fields.TEXT(analyzer=spelling_analyzer(), phrase=False),
        addressees=fields.STORED(),
        sectors=fields.STORED(),
        published_year=fields.NUMERIC(stored=True, sortable=True),
        published_month=fields.STORED(),
        year_of_death=fields.NUMERIC(stored=True, sortable=True),
        source_url=fields.STORED(),
        pdf_url=fields.STORED(),
        pdf_path=fields.STORED(),
        synthetic=fields.STORED(),
    )


def _review_fields(review: Review) -> dict:
    return {
        "review_id": review.id,
        "title": review.title,
        "csp": review.csp,
        "csp_text": review.csp,
        "region": review.region,
        "published_year": review.published_year,
        "published_month": review.published_month,
        "year_of_death": review.year_of_death,
        "source_url": review.source_url,
        "pdf_url": review.pdf_url,
        "pdf_path": review.pdf_path,
        "synthetic": review.synthetic,
    }


def _rec_fields(rec: Recommendation) -> dict:
    return {
        "doc_id": f"{rec.review_id}#rec-{rec.number}",
        "type": "recommendation",
        "number": rec.number,
        "page": rec.page,
        "text": rec.text,
        "text_pairs": rec.text,
        "addressee": FACET_SEP.join(rec.addressees),
        "addressee_text": " ; ".join(rec.addressees),
        "addressees": list(rec.addressees),
        "sector": FACET_SEP.join(rec.sectors),
        "sector_text": " ; ".join(rec.sectors),
        "sectors": list(rec.sectors),
    }


def review_documents(review: Review) -> Iterator[dict]:
    """The Whoosh documents of one review: its summary, recommendations and report pages."""
    base = {k: v for k, v in _review_fields(review).items() if v is not None}
    # The summary document always exists: it carries the review's metadata for its page.
    yield {
        **base,
        "doc_id": f"{review.id}#summary",
        "type": "summary",
        "text": review.summary,
        "text_pairs": review.summary,
        "spell": f"{review.title} {review.summary}",
    }
    for rec in review.recommendations:
        rec_doc = {k: v for k, v in _rec_fields(rec).items() if v is not None}
        yield {**base, **rec_doc, "spell": rec.text}
    for passage in review.passages:
        yield {
            **base,
            "doc_id": f"{review.id}#page-{passage.page}",
            "type": "passage",
            "page": passage.page,
            "text": passage.text,
            "text_pairs": passage.text,
            "spell": passage.text,
        }


def is_compatible(meta: dict) -> bool:
    """Whether an index was built with this schema and these analysis data files."""
    return (
        meta.get("schema_version") == SCHEMA_VERSION
        and meta.get("analysis") == analysis_fingerprint()
    )


# --- versions and the lock -------------------------------------------------------------


def current_version(index_dir: Path) -> str | None:
    """Name of the live version folder, or None when nothing has been built."""
    try:
        name = (index_dir / POINTER).read_text().strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return name if name and (index_dir / name / META).exists() else None


def read_meta(index_dir: Path, version: str | None = None) -> dict:
    """meta.json of the live (or given) version; IndexMissingError when there is none."""
    version = version or current_version(index_dir)
    if version is None:
        raise IndexMissingError(f"no index in {index_dir}: build one with 'index CORPUS_DIR'")
    return json.loads((index_dir / version / META).read_text())


@contextmanager
def writer_lock(index_dir: Path, wait: bool = False) -> Iterator[None]:
    """Hold the one-writer lock; flock is released by the kernel if the holder dies."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise IndexLockedError(
                f"index {index_dir} is being written by {holder} (lock {path}); "
                "wait for it to finish or pass --wait"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()


def _switch_to(index_dir: Path, version: str) -> None:
    tmp = index_dir / f"{POINTER}.tmp"
    with open(tmp, "w") as fh:
        fh.write(version + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / POINTER)
    dir_fd = os.open(index_dir, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _remove_old_versions(index_dir: Path, keep: set[str]) -> None:
    # Keep the previous version too: a searcher opened just before the switch may still read it.
    versions = sorted(p.name for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("v-"))
    for name in versions[:-2]:
        if name not in keep:
            shutil.rmtree(index_dir / name, ignore_errors=True)
    for p in index_dir.iterdir():
        if p.name.endswith(".building"):
            shutil.rmtree(p, ignore_errors=True)  # left by a killed build; we hold the lock


def writer_options() -> dict:
    """Whoosh writer settings for a full build: one writer process per core, up to two.

    Each process writes its own segment (multisegment: no final merge; procs>1 without it
    is what crashed paperless-ngx). Settable with $DHR_BUILD_PROCS (1 = one process).
    """
    procs = int(os.environ.get("DHR_BUILD_PROCS") or min(2, os.cpu_count() or 1))
    if procs <= 1:
        return {"limitmb": 256}
    return {"limitmb": 128, "procs": procs, "multisegment": True}


@dataclass
class BuildStats:
    """Counts of what a build wrote."""

    reviews: int = 0
    recommendations: int = 0
    summaries: int = 0
    passages: int = 0
    version: str = ""
    extra: dict = field(default_factory=dict)


def build_index(
    index_dir: Path,
    reviews: Iterable[Review],
    meta: dict | Callable[[], dict] | None = None,
    wait: bool = False,
) -> BuildStats:
    """Write a complete new index version from reviews, then make it the live one.

    meta may be a callable, read after every review is written (for counts gathered on the way).
    """
    index_dir = Path(index_dir)
    with writer_lock(index_dir, wait=wait):
        _remove_old_versions(index_dir, keep={current_version(index_dir) or ""})
        version = time.strftime("v-%Y%m%dT%H%M%S") + f"-{time.time_ns() % 10**9:09d}"
        building = index_dir / f"{version}.building"
        building.mkdir()
        stats = BuildStats(version=version)
        try:
            ix = windex.create_in(str(building), build_schema())
            with ix.writer(**writer_options()) as w:
                for review in reviews:
                    stats.reviews += 1
                    stats.recommendations += len(review.recommendations)
                    stats.passages += len(review.passages)
                    stats.summaries += 1 if review.summary else 0
                    for doc in review_documents(review):
                        w.add_document(**doc)
            ix.close()
        except BaseException:
            # The live version is untouched; drop the half-written one.
            shutil.rmtree(building, ignore_errors=True)
            raise
        info = {
            "schema_version": SCHEMA_VERSION,
            "analysis": analysis_fingerprint(),
            "version": version,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "reviews": stats.reviews,
            "recommendations": stats.recommendations,
            "summaries": stats.summaries,
            "passages": stats.passages,
            **((meta() if callable(meta) else meta) or {}),
        }
        (building / META).write_text(json.dumps(info, indent=2))
        os.replace(building, index_dir / version)
        _switch_to(index_dir, version)
        _remove_old_versions(index_dir, keep={version})
        return stats


# --- reading ---------------------------------------------------------------------------


class IndexHandle:
    """Opens the live index version and hands out searchers, one per thread, reused.

    Each call to searcher() costs a stat of CURRENT; when a build has switched versions,
    the next call opens the new one, so a running server follows rebuilds without restart.
    """

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._version: str | None = None
        self._ix = None
        self._meta: dict = {}
        self._pointer_stamp: tuple | None = None
        self.caches: dict = {}

    def _check(self) -> None:
        try:
            st = os.stat(self.index_dir / POINTER)
            stamp = (st.st_mtime_ns, st.st_ino, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp == self._pointer_stamp and self._ix is not None:
            return
        with self._lock:
            version = current_version(self.index_dir)
            if version is None:
                raise IndexMissingError(
                    f"no index in {self.index_dir}: build one with 'python -m search_service index CORPUS_DIR'"
                )
            if version != self._version:
                meta = read_meta(self.index_dir, version)
                if not is_compatible(meta):
                    raise IndexMissingError(
                        f"the index in {self.index_dir} was built by another version of DHR Search; "
                        "rebuild it with 'python -m search_service index CORPUS_DIR'"
                    )
                self._ix = windex.open_dir(str(self.index_dir / version))
                self._meta = meta
                self._version = version
                self.caches = {}
            self._pointer_stamp = stamp

    @property
    def meta(self) -> dict:
        """meta.json of the version searchers currently read."""
        self._check()
        return self._meta

    @property
    def version(self) -> str:
        """Name of the version searchers currently read."""
        self._check()
        return self._version or ""

    def searcher(self) -> Searcher:
        """This thread's searcher over the live version (reopened after a switch)."""
        self._check()
        local = self._local
        if getattr(local, "version", None) != self._version:
            if getattr(local, "searcher", None) is not None:
                local.searcher.close()
            local.searcher = self._ix.searcher()
            local.version = self._version
        return local.searcher

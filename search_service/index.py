"""The Whoosh index: schema, atomic builds into versioned folders, and shared searchers.

Layout of an index folder::

    index/CURRENT          name of the live version (replaced atomically with os.replace)
    index/v-<stamp>/       one complete Whoosh index plus meta.json
    index/.lock            held (flock) by the one writer allowed at a time

Searches never see a half-built index: a build writes a new version folder, and only when
it is complete does CURRENT point at it. This is the only module that writes the index.

Readers hold a shared flock on `v-<stamp>/.readers` while any of their searchers reads that
version; a writer deletes an old version only after taking that lock exclusively (and renames
the folder away while holding it), so a searcher never reads a deleted version.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import fields
from whoosh import index as windex
from whoosh.analysis import RegexTokenizer
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.query import Term
from whoosh.searching import Searcher

from .analysis import analysis_fingerprint, spelling_analyzer, text_analyzer
from .model import Recommendation, Review
from .scoring import pairs_field

PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
# Bump when the schema or analysis changes: an index of another version must be rebuilt.
SCHEMA_VERSION = 3
POINTER = "CURRENT"
LOCK = ".lock"
META = "meta.json"
# {file name: sha256} of the corpus a version was built from, for `index --update`.
FILES = "files.json"
# Readers hold a shared flock on this file in each version folder they read.
READERS = ".readers"
BUILDING = ".building"
DELETING = ".deleting"
# Multi-valued exact facet values are joined with tabs: agency names contain spaces.
FACET_SEP = "\t"


class IndexMissingError(RuntimeError):
    """No usable index has been built in this folder yet."""


class IndexLockedError(RuntimeError):
    """Another indexer holds the writer lock."""


class NeedsFullBuildError(RuntimeError):
    """An incremental update is impossible (no index, another schema, no file hashes)."""


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


def read_files(index_dir: Path, version: str) -> dict[str, str]:
    """The {file: sha256} map a version was built from ({} for versions without one)."""
    try:
        return json.loads((index_dir / version / FILES).read_text())
    except FileNotFoundError:
        return {}


def _holder(fh) -> str:
    fh.seek(0)
    return fh.read().strip() or "another process"


@contextmanager
def writer_lock(
    index_dir: Path, wait: bool = False, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the one-writer lock; flock is released by the kernel if the holder dies.

    Without wait a held lock raises IndexLockedError at once; with wait, on_wait hears
    who holds it and we block until it is free.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            holder = _holder(fh)
            if not wait:
                raise IndexLockedError(
                    f"index {index_dir} is being written by {holder} (lock {path}); "
                    "wait for it to finish or pass --wait"
                ) from None
            if on_wait:
                on_wait(f"waiting for {holder} to finish writing {index_dir} (lock {path})")
            fcntl.flock(fh, fcntl.LOCK_EX)
        # The pid is only for the message above: the flock itself is the lock, so a pid left
        # behind by a killed indexer means nothing.
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
    _fsync_dir(index_dir)


def _fsync_dir(path: Path) -> None:
    dir_fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _versions(index_dir: Path) -> list[str]:
    # Complete versions only: v-<stamp> without a .building/.deleting suffix.
    return sorted(
        p.name
        for p in index_dir.iterdir()
        if p.is_dir() and p.name.startswith("v-") and "." not in p.name
    )


def _remove_unused_versions(index_dir: Path, keep: set[str]) -> list[str]:
    """Delete versions no reader holds (and leftovers of killed builds); return those kept.

    Call only with the writer lock held.
    """
    for p in index_dir.iterdir():
        if p.name.endswith((BUILDING, DELETING)):
            shutil.rmtree(p, ignore_errors=True)  # left by a killed writer; we hold the lock
    in_use = []
    for name in _versions(index_dir):
        if name in keep:
            continue
        folder = index_dir / name
        fd = os.open(folder / READERS, os.O_RDONLY | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                in_use.append(name)  # a searcher still reads it: a later build removes it
                continue
            # Renamed while we hold the lock, so a reader that locks after us finds it gone.
            trash = index_dir / f"{name}{DELETING}"
            os.replace(folder, trash)
        finally:
            os.close(fd)
        shutil.rmtree(trash, ignore_errors=True)
    return in_use


class _TiedSubWriter(SubWriterTask):
    """A Whoosh sub-writer process that dies with the indexer that started it.

    Without this, `kill -9` of an indexer leaves its sub-writers blocked on their job queue
    for ever, holding the inherited writer lock, so every later build is refused.
    """

    def run(self) -> None:
        _die_with_parent()
        super().run()


def _die_with_parent() -> None:
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return  # not Linux: a killed build may then leave its sub-writers behind
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


class _TiedMpWriter(MpWriter):
    """MpWriter whose sub-writer processes are _TiedSubWriter."""

    def _new_task(self):
        task = _TiedSubWriter(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task


def build_procs() -> int:
    """Writer processes for a full build: one per core, up to two; $DHR_BUILD_PROCS overrides."""
    return int(os.environ.get("DHR_BUILD_PROCS") or min(2, os.cpu_count() or 1))


def full_build_writer(ix):
    """The Whoosh writer for a full build.

    With several processes each writes its own segment (multisegment: no final merge;
    procs>1 without it is what crashed paperless-ngx).
    """
    procs = build_procs()
    if procs <= 1:
        return ix.writer(limitmb=256)
    return _TiedMpWriter(ix, procs=procs, multisegment=True, limitmb=128)


@dataclass
class BuildStats:
    """Counts of what a build wrote."""

    reviews: int = 0
    recommendations: int = 0
    summaries: int = 0
    passages: int = 0
    version: str = ""
    extra: dict = field(default_factory=dict)


def _new_version() -> str:
    return time.strftime("v-%Y%m%dT%H%M%S") + f"-{time.time_ns() % 10**9:09d}"


def _add_review(w, review: Review, stats: BuildStats) -> None:
    stats.reviews += 1
    stats.recommendations += len(review.recommendations)
    stats.passages += len(review.passages)
    stats.summaries += 1 if review.summary else 0
    for doc in review_documents(review):
        w.add_document(**doc)


def _publish(
    index_dir: Path, building: Path, version: str, info: dict, files: dict[str, str] | None
) -> None:
    """Make a complete .building folder the live version, then drop unused old versions."""
    (building / FILES).write_text(json.dumps(files or {}, indent=0, sort_keys=True))
    (building / READERS).touch()
    # meta.json last: a folder with meta.json is a complete version (see current_version).
    (building / META).write_text(json.dumps(info, indent=2))
    _fsync_dir(building)
    os.replace(building, index_dir / version)
    _switch_to(index_dir, version)
    _remove_unused_versions(index_dir, keep={version})


def _info(version: str, counts: dict, meta: dict | Callable[[], dict] | None) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "analysis": analysis_fingerprint(),
        "version": version,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **counts,
        **((meta() if callable(meta) else meta) or {}),
    }


def build_index(
    index_dir: Path,
    reviews: Iterable[Review],
    meta: dict | Callable[[], dict] | None = None,
    wait: bool = False,
    files: dict[str, str] | Callable[[], dict[str, str]] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> BuildStats:
    """Write a complete new index version from reviews, then make it the live one.

    meta (and files, the corpus's {file: sha256} map for later updates) may be callables,
    read after every review is written (for counts gathered on the way).
    """
    index_dir = Path(index_dir)
    with writer_lock(index_dir, wait=wait, on_wait=on_wait):
        _remove_unused_versions(index_dir, keep={current_version(index_dir) or ""})
        version = _new_version()
        building = index_dir / f"{version}{BUILDING}"
        building.mkdir()
        stats = BuildStats(version=version)
        try:
            ix = windex.create_in(str(building), build_schema())
            with full_build_writer(ix) as w:
                for review in reviews:
                    _add_review(w, review, stats)
            ix.close()
            counts = {
                "reviews": stats.reviews,
                "recommendations": stats.recommendations,
                "summaries": stats.summaries,
                "passages": stats.passages,
            }
            info = _info(version, counts, meta)
            _publish(index_dir, building, version, info, files() if callable(files) else files)
        except BaseException:
            # The live version is untouched; drop the half-written one.
            shutil.rmtree(building, ignore_errors=True)
            raise
        return stats


def _count(ix) -> dict:
    """Document counts of an index, read from the index itself (deleted documents excluded)."""
    with ix.searcher() as s:
        counts = {
            kind: sum(1 for _ in s.docs_for_query(Term("type", kind)))
            for kind in ("recommendation", "passage")
        }
        reviews = summaries = synthetic = 0
        for docnum in s.docs_for_query(Term("type", "summary")):
            stored = s.stored_fields(docnum)
            reviews += 1
            summaries += bool(stored.get("text"))
            synthetic += bool(stored.get("synthetic"))
    return {
        "reviews": reviews,
        "recommendations": counts["recommendation"],
        "summaries": summaries,
        "passages": counts["passage"],
        "synthetic_reviews": synthetic,
    }


def update_index(
    index_dir: Path,
    changes: Callable[[dict[str, str], dict], object],
    meta: dict | Callable[[], dict] | None = None,
    wait: bool = False,
    on_wait: Callable[[str], None] | None = None,
) -> BuildStats:
    """Apply an incremental change to a copy of the live version, then make the copy live.

    changes(old_files, old_meta) is called with the writer lock held and returns an object
    with `remove` (review ids to drop), `add` (reviews to (re)index) and `files` (the new
    {file: sha256} map). Raises NeedsFullBuildError when there is nothing to update from.
    """
    index_dir = Path(index_dir)
    with writer_lock(index_dir, wait=wait, on_wait=on_wait):
        live = current_version(index_dir)
        _remove_unused_versions(index_dir, keep={live or ""})
        if live is None:
            raise NeedsFullBuildError(f"no index in {index_dir} to update")
        old_meta = read_meta(index_dir, live)
        if not is_compatible(old_meta) or not (index_dir / live / FILES).exists():
            raise NeedsFullBuildError(f"the index in {index_dir} cannot be updated in place")
        plan = changes(read_files(index_dir, live), old_meta)
        version = _new_version()
        building = index_dir / f"{version}{BUILDING}"
        stats = BuildStats(version=version)
        try:
            # Whoosh never rewrites a committed segment, but we copy rather than link so the
            # live version's files stay untouched whatever the writer does.
            shutil.copytree(index_dir / live, building, ignore=shutil.ignore_patterns(READERS))
            ix = windex.open_dir(str(building))
            with ix.writer(limitmb=256) as w:
                for review_id in plan.remove:
                    w.delete_by_term("review_id", review_id)
                for review in plan.add:
                    w.delete_by_term("review_id", review.id)  # a new file may reuse an id
                    _add_review(w, review, stats)
            counts = _count(ix)
            ix.close()
            info = _info(version, counts, meta)
            _publish(index_dir, building, version, info, plan.files)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        return stats


def _lease(index_dir: Path, version: str) -> int | None:
    """Take a reader's shared lock on a version: its fd, or None if it is being deleted."""
    folder = index_dir / version
    try:
        fd = os.open(folder / READERS, os.O_RDONLY)
    except FileNotFoundError:
        # Renamed away (being deleted), or a version from before leases existed.
        return -1 if (folder / META).exists() else None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    # A writer renames the folder before releasing its exclusive lock: still here means kept.
    if not (folder / META).exists():
        os.close(fd)
        return None
    return fd


# --- reading ---------------------------------------------------------------------------


class _Version:
    """One opened version: its Whoosh index, meta, reader lease and per-version caches."""

    def __init__(self, name: str, ix, meta: dict, lease: int):
        self.name = name
        self.ix = ix
        self.meta = meta
        self.lease = lease
        self.caches: dict = {}
        self.users = 0  # thread searchers open on this version

    def release(self) -> None:
        if self.lease >= 0:
            os.close(self.lease)  # drops the shared flock: a writer may now delete it
            self.lease = -1


class IndexHandle:
    """Opens the live index version and hands out searchers, one per thread, reused.

    Each call to searcher() costs a stat of CURRENT; when a build has switched versions,
    the next call opens the new one, so a running server follows rebuilds without restart.
    A version stays leased (see module docstring) while it is live here or any thread's
    searcher still reads it, so writers cannot delete it under us.
    """

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._current: _Version | None = None
        self._pointer_stamp: tuple | None = None

    def _stamp(self) -> tuple | None:
        try:
            st = os.stat(self.index_dir / POINTER)
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_ino, st.st_size)

    def _check(self) -> _Version:
        stamp = self._stamp()
        current = self._current
        if stamp == self._pointer_stamp and current is not None:
            return current
        with self._lock:
            # A writer may delete the version we just read from CURRENT before we lease it;
            # CURRENT has then moved on, so read it again.
            for _ in range(50):
                stamp = self._stamp()
                version = current_version(self.index_dir)
                if version is None:
                    raise IndexMissingError(
                        f"no index in {self.index_dir}: build one with 'python -m search_service index CORPUS_DIR'"
                    )
                if self._current is not None and version == self._current.name:
                    break
                lease = _lease(self.index_dir, version)
                if lease is None:
                    time.sleep(0.01)
                    continue
                try:
                    meta = read_meta(self.index_dir, version)
                    if not is_compatible(meta):
                        raise IndexMissingError(
                            f"the index in {self.index_dir} was built by another version of DHR Search; "
                            "rebuild it with 'python -m search_service index CORPUS_DIR'"
                        )
                    ix = windex.open_dir(str(self.index_dir / version))
                except BaseException:
                    if lease >= 0:
                        os.close(lease)
                    raise
                old, self._current = self._current, _Version(version, ix, meta, lease)
                self._warm(self._current, old)
                if old is not None and old.users == 0:
                    old.release()
                break
            else:
                raise IndexMissingError(f"the index in {self.index_dir} keeps changing; try again")
            self._pointer_stamp = stamp
            return self._current

    def _warm(self, version: _Version, old: _Version | None) -> None:
        """Build a new version's facet arrays and field lengths in a background thread.

        From the previous version's caches when it has them (segments kept by
        `index --update` are copied, not re-read), so the first search after a switch does
        not pay for them (a search arriving meanwhile waits for the build, not repeats it).
        """
        previous = old.caches if old is not None else None
        if previous is not None and previous.get("facets") is not None:
            version.caches["facets_previous"] = previous["facets"]  # whoever builds first
        version.users += 1  # keeps its lease while the thread reads it (under self._lock)

        def run() -> None:
            try:
                searcher = version.ix.searcher()
                try:
                    from .search import warm_caches  # search.py imports this module

                    warm_caches(searcher, version.caches, previous)
                finally:
                    searcher.close()
            except Exception:  # noqa: BLE001 - warming is an optimisation; searches build lazily
                pass
            finally:
                with self._lock:
                    version.users -= 1
                    if version.users == 0 and version is not self._current:
                        version.release()

        threading.Thread(target=run, name=f"warm-{version.name}", daemon=True).start()

    def watch(self, interval: float = 0.25) -> threading.Thread:
        """Follow CURRENT from a background thread, so a new version is opened and warmed
        as soon as a build switches to it, not when the next search arrives."""

        def run() -> None:
            while True:
                with contextlib.suppress(Exception):  # no index yet, or mid-switch: try again
                    self._check()
                time.sleep(interval)

        thread = threading.Thread(target=run, name="index-watch", daemon=True)
        thread.start()
        return thread

    @property
    def meta(self) -> dict:
        """meta.json of the version searchers currently read."""
        return self._check().meta

    @property
    def version(self) -> str:
        """Name of the version searchers currently read."""
        return self._check().name

    @property
    def caches(self) -> dict:
        """Caches of the version this thread's searcher reads (facet arrays are per version)."""
        mine = getattr(self._local, "version", None)
        return mine.caches if mine is not None else self._check().caches

    def searcher(self) -> Searcher:
        """This thread's searcher over the live version (reopened after a switch)."""
        current = self._check()
        local = self._local
        mine: _Version | None = getattr(local, "version", None)
        if mine is not current:
            # Open the new searcher before closing the old: this thread always has one.
            fresh = current.ix.searcher()
            with self._lock:
                current.users += 1
                if mine is not None:
                    local.searcher.close()
                    mine.users -= 1
                    if mine.users == 0 and mine is not self._current:
                        mine.release()
            local.searcher, local.version = fresh, current
        return local.searcher

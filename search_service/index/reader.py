"""Reading the live index: one searcher per thread, following CURRENT across rebuilds."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import logging
import mmap
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from whoosh import index as windex
from whoosh.searching import Searcher

from search_service.config import setting
from search_service.index import whoosh_internals
from search_service.index.schema import is_compatible
from search_service.index.state import VersionState
from search_service.index.versions import (
    POINTER,
    IndexMissingError,
    current_version,
    lease_version,
    read_meta,
)

# One JSON line per event (serve sends it to stderr with the access log): a version warmed.
events = logging.getLogger("search_service.events")


# Seconds between trims of the heap and looks at how much of the segment files the process
# holds (one read of /proc/self/statm, ~10 µs).
TRIM_EVERY = 1.0

# Fills a new version's state before searches need it (search/warm.py provides it; without
# one, the state fills as searches use it).
Warm = Callable[[Searcher, VersionState], None]


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim  # glibc's; musl and macOS have none
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


def give_back_heap() -> bool:
    """Return the C heap's free pages to the system (glibc's malloc_trim); False where there
    is no such call.

    Evicted postings, a replaced version's state and each request's temporary dicts are
    freed into malloc's heap, which keeps them: after the benchmark's queries ~70 MB of a
    serving process's resident set was free heap. Trimming takes ~4 ms the first time and
    well under 1 ms once a second after that.
    """
    if _TRIM is None:
        return False
    _TRIM(0)
    return True


def mapped_resident_bytes() -> int | None:
    """Bytes of file-backed pages in this process's resident set (Linux), else None."""
    try:
        with open("/proc/self/statm", "rb") as f:
            shared = int(f.read().split()[2])
    except (OSError, ValueError, IndexError):
        return None
    return shared * mmap.PAGESIZE


def settle_heap() -> None:
    """Collect what earlier versions left, then keep the collector off what is left.

    A warm version holds a few million long-lived objects (facet arrays, lexicons, decoded
    postings, snippets' word analyses); each of Python's full collections walked them all,
    and with the report pages' words memoised a rare word's answer took twice as long
    (8 -> 16 ms in-process). Frozen objects are still freed when nothing refers to them.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    give_back_heap()  # what the warm-up built and dropped, and the previous version


class _Version:
    """One opened version: its Whoosh index, meta, reader lease and shared state."""

    def __init__(self, name: str, ix, meta: dict, lease: int):
        self.name = name
        self.ix = ix
        self.meta = meta
        self.lease = lease
        self.state = VersionState()
        self.users = 0  # thread searchers open on this version
        self.warmed = threading.Event()  # set when the warm-up thread has filled the state
        # Stored fields for every thread through one reader: a Whoosh reader copies a segment's
        # whole stored-fields column into memory the first time it reads it (~10 ms and
        # several MB a segment), so one per thread paid that in a search, per segment and
        # thread, and held a copy each.
        self.stored = ix.reader()

    def open_stored(self) -> None:
        """Read one document from each segment, so its stored-fields column is open."""
        for leaf, offset in self.stored.leaf_readers():
            if leaf.doc_count_all():
                self.stored.stored_fields(offset)

    def segment_ids(self) -> set:
        """The ids of this version's segments."""
        leaves = (leaf.segment() for leaf, _offset in self.stored.leaf_readers())
        return {seg.segment_id() for seg in leaves if seg is not None}

    def release(self) -> None:
        if self.lease >= 0:
            os.close(self.lease)  # drops the shared flock: a writer may now delete it
            self.lease = -1
            with contextlib.suppress(Exception):
                self.stored.close()


class IndexHandle:
    """Opens the live index version and hands out searchers, one per thread, reused.

    Each call to searcher() costs a stat of CURRENT; when a build has switched versions,
    the next call opens the new one, so a running server follows rebuilds without restart.
    A version stays leased (versions.py) while it is live here or any thread's
    searcher still reads it, so writers cannot delete it under us.
    """

    def __init__(self, index_dir: Path, warm: Warm | None = None):
        # Reading relies on Whoosh internals: check their version before anything opens.
        whoosh_internals.apply()
        self.index_dir = Path(index_dir)
        self.warm_up = warm
        self._lock = threading.Lock()
        self._local = threading.local()
        self._current: _Version | None = None
        self._pointer_stamp: tuple | None = None
        self._watched = False  # a watch() thread follows CURRENT
        self._trimmed = 0.0  # when _give_back last looked

    def _stamp(self) -> tuple | None:
        try:
            st = os.stat(self.index_dir / POINTER)
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_ino, st.st_size)

    def _check(self, look: bool | None = None) -> _Version:
        current = self._current
        if current is not None and look is None and self._watched:
            return current  # the watch() thread follows CURRENT: no stat in every request
        stamp = self._stamp()
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
                lease = lease_version(self.index_dir, version)
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
                    opened = _Version(version, ix, meta, lease)
                except BaseException:
                    if lease >= 0:
                        os.close(lease)
                    raise
                old, self._current = self._current, opened
                self._warm(self._current, old)
                if old is not None and old.users == 0:
                    old.release()
                break
            else:
                raise IndexMissingError(f"the index in {self.index_dir} keeps changing; try again")
            self._pointer_stamp = stamp
            return self._current

    def _warm(self, version: _Version, old: _Version | None) -> None:
        """Fill a new version's state in a background thread (the warm hook).

        It takes over what the previous version's state can lend (segments kept by
        `index --update` are copied, not re-read), so the first search after a switch does
        not pay for them (a search arriving meanwhile waits for the build, not repeats it).
        """
        previous = old.state if old is not None else None
        version.state.follow(previous, version.segment_ids())
        version.users += 1  # keeps its lease while the thread reads it (under self._lock)

        def run() -> None:
            started = time.perf_counter()
            failed = None
            try:
                version.open_stored()
                if self.warm_up is not None:
                    with version.ix.searcher() as searcher:
                        self.warm_up(searcher, version.state)
                    settle_heap()
            except Exception as exc:  # noqa: BLE001 - an optimisation: searches build lazily
                failed = f"{type(exc).__name__}: {exc}"  # but the event says so
            finally:
                version.warmed.set()
                took = round(time.perf_counter() - started, 2)
                record = {"event": "warm", "version": version.name, "seconds": took}
                if failed:
                    record["error"] = failed
                events.info(json.dumps({**record, "pid": os.getpid()}))
                with self._lock:
                    version.users -= 1
                    if version.users == 0 and version is not self._current:
                        version.release()

        threading.Thread(target=run, name=f"warm-{version.name}", daemon=True).start()

    def watch(self, interval: float = 0.1) -> threading.Thread:
        """Follow CURRENT from a background thread, so a new version is opened and warmed
        as soon as a build switches to it, not when the next search arrives (searches then
        leave CURRENT to it)."""

        def run() -> None:
            while True:
                with contextlib.suppress(Exception):  # no index yet, or mid-switch: try again
                    self._check(look=True)
                    self._watched = True
                    self._give_back()  # here, not in a search's time
                time.sleep(interval)

        thread = threading.Thread(target=run, name="index-watch", daemon=True)
        thread.start()
        return thread

    @property
    def meta(self) -> dict:
        """meta.json of the version searchers currently read."""
        return self._check().meta

    @property
    def warm(self) -> bool:
        """Whether the live version's state is filled (searches are at full speed)."""
        return self._check().warmed.is_set()

    @property
    def version(self) -> str:
        """Name of the version searchers currently read."""
        return self._check().name

    @property
    def state(self) -> VersionState:
        """The shared state of the version this thread's searcher reads."""
        mine = getattr(self._local, "version", None)
        return mine.state if mine is not None else self._check().state

    def stored_fields(self, docnum: int) -> dict:
        """The stored fields of a document of this thread's searcher's version, read through
        the version's shared reader."""
        mine = getattr(self._local, "version", None)
        return (mine if mine is not None else self._check()).stored.stored_fields(docnum)

    def _give_back(self) -> None:
        """Give back the heap searches freed, and the segment pages they have read once they
        pass $DHR_MAPPED_MB (looked at once a second at most; the pages stay in the
        kernel's page cache). The watch() thread does it when there is one, else searcher()."""
        now = time.monotonic()
        if now - self._trimmed < TRIM_EVERY:
            return
        self._trimmed = now
        give_back_heap()
        held = mapped_resident_bytes()
        if held is not None and held > setting("MAPPED_MB") * 1024 * 1024:
            whoosh_internals.release_mapped_pages()

    def searcher(self) -> Searcher:
        """This thread's searcher over the live version (reopened after a switch)."""
        if not self._watched:
            self._give_back()
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

"""What a serving process holds: segment pages given back past a budget, a settled heap."""

import gc
import sys
import time

import pytest
from whoosh.query import Every

from search_service.index import reader as reader_module
from search_service.index import whoosh_internals
from search_service.index.reader import IndexHandle, give_back_heap, mapped_resident_bytes
from search_service.search.service import open_index

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/statm")


def _anonymous_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no RssAnon in /proc/self/status")


def _free_scattered_heap() -> list:
    """Free ~120 MB of malloc'd blocks, keeping one in fifty so the heap cannot shrink from
    its top (what evicted postings leave behind); returns what it keeps."""
    blocks = [bytes(2000) + bytes([i % 251]) for i in range(60_000)]  # past pymalloc's 512 B
    kept = blocks[::50]
    del blocks
    return kept


def _read_every_stored_field(handle: IndexHandle) -> int:
    searcher = handle.searcher()
    count = 0
    for leaf, _offset in searcher.reader().leaf_readers():
        for _docnum, stored in leaf.iter_docs():
            count += len(stored)
    return count


@linux_only
def test_released_maps_leave_the_resident_set_and_searches_still_read_them(index_dir):
    handle = IndexHandle(index_dir)
    assert _read_every_stored_field(handle) > 0
    before = mapped_resident_bytes()
    assert whoosh_internals.release_mapped_pages() >= 1  # this thread's searcher's segments
    after = mapped_resident_bytes()
    assert after < before
    # The pages come back on the next read: the same documents, from the page cache.
    assert _read_every_stored_field(handle) > 0
    assert mapped_resident_bytes() > after


@linux_only
def test_freed_heap_goes_back_to_the_system():
    kept = _free_scattered_heap()
    before = _anonymous_mb()
    assert give_back_heap()
    assert _anonymous_mb() < before - 50
    assert len(kept) == 1200


@linux_only
def test_a_searcher_gives_back_the_heap_once_a_second_at_most(index_dir, monkeypatch):
    handle = IndexHandle(index_dir)
    handle.searcher()  # looks now: the next look is a second away
    kept = _free_scattered_heap()
    before = _anonymous_mb()
    handle.searcher()
    assert _anonymous_mb() > before - 50  # within the second: not trimmed
    monkeypatch.setattr(reader_module, "TRIM_EVERY", 0.0)
    handle.searcher()
    assert _anonymous_mb() < before - 50
    assert len(kept) == 1200


@linux_only
def test_a_watched_index_gives_back_the_heap_outside_searches(index_dir):
    handle = IndexHandle(index_dir)
    handle.watch(interval=0.05)
    kept = _free_scattered_heap()
    before = _anonymous_mb()
    deadline = time.monotonic() + 5
    while _anonymous_mb() > before - 50 and time.monotonic() < deadline:
        time.sleep(0.05)  # no search asks for a searcher meanwhile
    assert _anonymous_mb() < before - 50
    assert len(kept) == 1200


@linux_only
def test_a_searcher_past_the_budget_gives_the_pages_back(index_dir, monkeypatch):
    handle = IndexHandle(index_dir)
    monkeypatch.setattr(reader_module, "TRIM_EVERY", 0.0)  # look at every searcher
    monkeypatch.setenv("DHR_MAPPED_MB", "1000000")
    _read_every_stored_field(handle)
    held = mapped_resident_bytes()
    handle.searcher()
    assert mapped_resident_bytes() >= held  # under the budget: kept
    monkeypatch.setenv("DHR_MAPPED_MB", "0")
    handle.searcher()
    assert mapped_resident_bytes() < held


def test_a_warm_version_leaves_its_objects_out_of_the_collectors_walks(index_dir):
    gc.unfreeze()
    handle = open_index(index_dir)
    handle.searcher()
    deadline = time.monotonic() + 60
    while not handle.warm and time.monotonic() < deadline:
        time.sleep(0.05)
    assert handle.warm
    assert gc.get_freeze_count() > 0  # settled: the warm state is not walked again
    # A search still works and still frees what it made.
    with_results = handle.searcher().search(Every(), limit=1)
    assert with_results.scored_length() == 1

"""The index: picklable schema, atomic versions, one writer, searchers that follow rebuilds."""

import pickle
import time

import pytest

from search_service.corpus.folder import read_corpus
from search_service.index.reader import IndexHandle
from search_service.index.schema import build_schema
from search_service.index.versions import (
    IndexLockedError,
    IndexMissingError,
    current_version,
    writer_lock,
)
from search_service.index.writer import build_index
from search_service.search.request import SearchRequest
from search_service.search.service import open_index, run_search


def test_schema_and_analyzer_pickle_round_trip():
    schema = build_schema()
    restored = pickle.loads(pickle.dumps(schema))
    tokens = [t.text for t in restored["text"].analyzer("Forensic curiosity of the agencies")]
    assert tokens == ["forens", "curios", "agenc"]


def test_build_switches_to_a_complete_new_version(fresh_index, corpus_dir):
    before = current_version(fresh_index)
    build_index(fresh_index, read_corpus(corpus_dir).reviews)
    after = current_version(fresh_index)
    assert after != before
    assert (fresh_index / after / "meta.json").exists()
    assert not list(fresh_index.glob("*.building"))


def test_old_versions_no_reader_uses_are_removed(fresh_index, corpus_dir):
    for _ in range(3):
        build_index(fresh_index, read_corpus(corpus_dir).reviews)
    versions = sorted(p.name for p in fresh_index.glob("v-*"))
    assert versions == [current_version(fresh_index)]


def test_a_version_a_searcher_reads_is_kept_until_it_moves_on(fresh_index, corpus_dir):
    handle = IndexHandle(fresh_index)
    old = handle.version
    searcher = handle.searcher()
    for _ in range(2):
        build_index(fresh_index, read_corpus(corpus_dir).reviews)
    # Two rebuilds later the old searcher still reads a complete folder.
    assert (fresh_index / old / "meta.json").exists()
    assert searcher.doc_count() > 0
    assert run_search(handle, SearchRequest(q='"forensic curiosity"'))["total"] == 1
    reading = handle.version
    assert reading != old  # this thread has moved on and let go of the old version
    build_index(fresh_index, read_corpus(corpus_dir).reviews)
    assert not (fresh_index / old).exists()
    assert {p.name for p in fresh_index.glob("v-*")} == {reading, current_version(fresh_index)}


def test_a_failed_build_leaves_the_previous_index_searchable(fresh_index, corpus_dir):
    before = current_version(fresh_index)

    def broken():
        yield from read_corpus(corpus_dir).reviews[:2]
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        build_index(fresh_index, broken())
    assert current_version(fresh_index) == before
    assert not list(fresh_index.glob("*.building"))
    data = run_search(IndexHandle(fresh_index), SearchRequest(q='"forensic curiosity"'))
    assert data["total"] == 1


def test_a_second_writer_is_refused_naming_the_lock(fresh_index, corpus_dir):
    with writer_lock(fresh_index), pytest.raises(IndexLockedError, match=r"\.lock"):
        build_index(fresh_index, read_corpus(corpus_dir).reviews)


def test_a_running_handle_follows_a_rebuild(fresh_index, corpus_dir):
    handle = IndexHandle(fresh_index)
    first = handle.version
    assert run_search(handle, SearchRequest(q="Bolton"))["total"] > 0
    reviews = [r for r in read_corpus(corpus_dir).reviews if r.id != "bolton-2023"]
    build_index(fresh_index, reviews)
    assert handle.version != first
    assert run_search(handle, SearchRequest(q='"forensic curiosity"'))["total"] == 0


def test_missing_index_is_reported(tmp_path):
    with pytest.raises(IndexMissingError, match="no index"):
        IndexHandle(tmp_path / "nothing").searcher()


def test_updates_do_not_pile_up_segments(tmp_path):
    """Updating the same reviews again and again leaves a few segments, each with live texts."""
    from types import SimpleNamespace

    from search_service.index.writer import update_index
    from search_service.model import Recommendation, Review

    def review(rid: str, text: str) -> Review:
        rec = Recommendation(review_id=rid, number="1", text=text, addressees=["Police"])
        return Review(id=rid, title=f"Review {rid}", csp="Testshire", recommendations=[rec])

    build_index(
        tmp_path, [review(f"r{i}", f"Training on risk, round zero, {i}.") for i in range(150)]
    )
    for n in range(1, 9):
        # The same 40 reviews each time (files edited again): the last update's segment then
        # holds nothing live; and ten more each time, so small segments accumulate. (Segments
        # of 100 texts: Whoosh's own policy merges only segments of a few dozen.)
        rewritten = [*range(40), *range(40 + 10 * n, 50 + 10 * n)]
        changed = [review(f"r{i}", f"Training on risk, round {n}x, {i}.") for i in rewritten]
        plan = SimpleNamespace(remove=[], add=changed, files={})
        update_index(tmp_path, lambda files, meta, plan=plan: plan)
    handle = IndexHandle(tmp_path)
    searcher = handle.searcher()
    segments = [sub.reader() for sub, _ in searcher.leaf_searchers()]
    assert all(r.doc_count() > 0 for r in segments)
    assert len(segments) <= 5
    assert searcher.doc_count() == 300  # 150 reviews: a summary and a recommendation each
    found = run_search(handle, SearchRequest(q="8x", filters={"type": ["recommendation"]}))
    assert found["total"] == 50
    old = run_search(handle, SearchRequest(q="zero", filters={"type": ["recommendation"]}))
    assert old["total"] == 150 - 40 - 80


def test_threads_read_stored_fields_through_one_reader_per_version(fresh_index):
    """Each thread searches with its own Whoosh searcher, but hits' stored fields come from
    one reader per version: a Whoosh reader copies a segment's whole stored-fields column on
    its first read, which cost every thread ~10 ms a segment inside a search."""
    import threading

    from whoosh import index as windex

    handle = open_index(fresh_index)
    expected = windex.open_dir(str(fresh_index / handle.version)).reader()
    # Opening the version starts its warm-up, which builds the facet arrays.
    deadline = time.monotonic() + 30
    while not handle.warm and time.monotonic() < deadline:
        time.sleep(0.05)
    results, searchers = {}, []
    barrier = threading.Barrier(4)

    def work(n: int) -> None:
        barrier.wait()
        data = run_search(handle, SearchRequest(q="domestic", per_page=50))
        searchers.append(handle.searcher())
        results[n] = (data["hits"], [handle.stored_fields(d) for d in range(30)])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and len(results[0][0]) > 5
    assert all(r == results[0] for r in results.values())
    assert results[0][1] == [expected.stored_fields(d) for d in range(30)]
    # No thread's own searcher opened a stored-fields column.
    for searcher in searchers:
        for leaf, _offset in searcher.reader().leaf_readers():
            assert "_stored" not in leaf._perdoc._readers


def test_stored_fields_come_from_the_version_the_threads_searcher_reads(fresh_index, corpus_dir):
    handle = IndexHandle(fresh_index)
    searcher = handle.searcher()
    bolton = searcher.document_number(doc_id="bolton-2023#rec-7")
    reviews = [r for r in read_corpus(corpus_dir).reviews if r.id != "bolton-2023"]
    build_index(fresh_index, reviews)
    # Until this thread asks for a searcher again, its docnums are the old version's.
    assert handle.stored_fields(bolton)["doc_id"] == "bolton-2023#rec-7"
    fresh = handle.searcher()
    assert fresh.document_number(doc_id="bolton-2023#rec-7") is None
    other = reviews[0].id + "#rec-1"
    assert handle.stored_fields(fresh.document_number(doc_id=other))["doc_id"] == other


def test_a_watched_handle_follows_a_rebuild_without_a_search(fresh_index, corpus_dir):
    import time

    handle = IndexHandle(fresh_index)
    handle.watch(interval=0.05)
    first = handle.version
    assert run_search(handle, SearchRequest(q='"forensic curiosity"'))["total"] == 1
    reviews = [r for r in read_corpus(corpus_dir).reviews if r.id != "bolton-2023"]
    build_index(fresh_index, reviews)
    deadline = time.monotonic() + 10
    while handle.version == first:  # the watcher switches; searches do not look themselves
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert run_search(handle, SearchRequest(q='"forensic curiosity"'))["total"] == 0

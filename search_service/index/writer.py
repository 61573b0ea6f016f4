"""Writing the index: full builds and incremental updates into new versions, switched atomically.

This is the only module that writes the index (see versions.py for the folder layout and
reader.py for searching it).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from whoosh import index as windex
from whoosh.query import Term
from whoosh.reading import SegmentReader

from search_service.analysis.filters import analysis_fingerprint
from search_service.analysis.pairs import (
    SAMPLE_PAGES,
    SAMPLE_REVIEWS,
    common_pairs,
    frequent_words,
)
from search_service.config import setting
from search_service.index import whoosh_internals
from search_service.index.schema import (
    SCHEMA_VERSION,
    build_schema,
    is_compatible,
    review_documents,
)
from search_service.index.versions import (
    BUILDING,
    FILES,
    META,
    POINTER,
    READERS,
    IndexMissingError,
    current_version,
    fsync_dir,
    read_files,
    read_meta,
    remove_unused_versions,
    switch_to,
    writer_lock,
)
from search_service.model import Review


class NeedsFullBuildError(RuntimeError):
    """An incremental update is impossible (no index, another schema, no file hashes)."""


def build_procs() -> int:
    """Writer processes for a full build: one per core, up to two; $DHR_BUILD_PROCS overrides."""
    return setting("BUILD_PROCS") or min(2, os.cpu_count() or 1)


# The real library's ~26,000 report pages are ~3.2M postings a writer process, ~640 MB in
# Whoosh's estimate. Past its pool's limit Whoosh pickles sorted runs to disk and merges them
# back: at 128 MB that was a third of a full build (192-194 s, where 1024 took 115-138 s,
# ~870 MB at the peak per writer).
POOL_MB = 1024


def pool_mb(procs: int) -> int:
    """Megabytes each of procs full-build writers sorts in memory before it spills to disk."""
    chosen = setting("BUILD_POOL_MB")
    if chosen > 0:
        return chosen
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError):  # no sysconf names here: assume a small machine
        memory = 4096
    return max(64, min(POOL_MB, memory // 4 // max(1, procs)))


def full_build_writer(ix):
    """The Whoosh writer for a full build.

    With several processes each writes its own segment (multisegment: no final merge;
    procs>1 without it is what crashed paperless-ngx).
    """
    procs = build_procs()
    if procs <= 1:
        return ix.writer(limitmb=pool_mb(1))
    return whoosh_internals.TiedMpWriter(
        ix, procs=procs, multisegment=True, limitmb=pool_mb(procs)
    )


@dataclass
class BuildStats:
    """Counts of what a build wrote."""

    reviews: int = 0
    recommendations: int = 0
    summaries: int = 0
    passages: int = 0
    version: str = ""
    extra: dict = field(default_factory=dict)


def _live_or_none(index_dir: Path) -> str | None:
    """The live version, or None when there is none or CURRENT is junk a build may replace
    (a folder named CURRENT is not replaced: IndexMissingError says what to do)."""
    try:
        return current_version(index_dir)
    except IndexMissingError:
        if (index_dir / POINTER).is_dir():
            raise
        return None


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
    fsync_dir(building)
    os.replace(building, index_dir / version)
    switch_to(index_dir, version)
    remove_unused_versions(index_dir, keep={version})


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
    whoosh_internals.apply()
    with writer_lock(index_dir, wait=wait, on_wait=on_wait):
        remove_unused_versions(index_dir, keep={_live_or_none(index_dir) or ""})
        version = _new_version()
        building = index_dir / f"{version}{BUILDING}"
        building.mkdir()
        stats = BuildStats(version=version)
        try:
            reviews = iter(reviews)
            head = _first_pages(reviews, SAMPLE_PAGES)
            sample = [p.text for r in head for p in r.passages]
            frequent = frequent_words(sample)
            schema = build_schema(frequent, common_pairs(sample, frequent))
            ix = windex.create_in(str(building), schema)
            with full_build_writer(ix) as w:
                for review in chain(head, reviews):
                    _add_review(w, review, stats)
            # What we print and record is what the index holds, read back from it.
            counts = _count(ix)
            ix.close()
            _check_counts(counts, stats)
            info = _info(version, counts, meta)
            _publish(index_dir, building, version, info, files() if callable(files) else files)
        except BaseException:
            # The live version is untouched; drop the half-written one.
            shutil.rmtree(building, ignore_errors=True)
            raise
        return stats


def _first_pages(reviews: Iterator[Review], pages: int) -> list[Review]:
    """The first reviews, up to the one that brings their report pages to pages (at most
    SAMPLE_REVIEWS of them)."""
    head: list[Review] = []
    held = 0
    for review in reviews:
        head.append(review)
        held += len(review.passages)
        if held >= pages or len(head) >= SAMPLE_REVIEWS:
            break
    return head


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


class IncompleteBuildError(RuntimeError):
    """A new version does not hold every document written to it; it is not published."""


def _check_counts(counts: dict, stats: BuildStats) -> None:
    written = {
        k: getattr(stats, k) for k in ("reviews", "recommendations", "summaries", "passages")
    }
    short = {k: (counts[k], n) for k, n in written.items() if counts[k] != n}
    if short:
        found = "; ".join(f"{k}: {held} of {n}" for k, (held, n) in short.items())
        raise IncompleteBuildError(
            f"the new index holds fewer documents than were written ({found}); it was not "
            "published and the previous index is still live"
        )


# Small segments (fewer live documents than this share of all) are merged once there are
# more than MAX_SMALL_SEGMENTS of them: every search visits every segment.
SMALL_SEGMENT_SHARE = 1 / 8
MAX_SMALL_SEGMENTS = 2


def merge_small_segments(writer, segments: list) -> list:
    """Whoosh merge policy for updates: segments without a live document are dropped, and
    small ones (counting live documents, so a mostly deleted segment is small) are merged
    into the new segment once there are more than a couple.

    Each update adds a segment; re-updating a file leaves its old segment with nothing
    live. Whoosh's own MERGE_SMALL keeps both kinds (it merges only segments of a few
    documents), so searches slowed with every update.
    """
    live = [seg for seg in segments if seg.doc_count() > 0]
    total = sum(seg.doc_count() for seg in live)
    small = [seg for seg in live if seg.doc_count() < total * SMALL_SEGMENT_SHARE]
    if len(small) <= MAX_SMALL_SEGMENTS:
        return live
    for seg in small:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)  # live documents only
        reader.close()
    return [seg for seg in live if seg not in small]


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
    whoosh_internals.apply()
    with writer_lock(index_dir, wait=wait, on_wait=on_wait):
        live = _live_or_none(index_dir)
        remove_unused_versions(index_dir, keep={live or ""})
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
            w = ix.writer(limitmb=256)
            try:
                for review_id in plan.remove:
                    w.delete_by_term("review_id", review_id)
                for review in plan.add:
                    w.delete_by_term("review_id", review.id)  # a new file may reuse an id
                    _add_review(w, review, stats)
            except BaseException:
                w.cancel()
                raise
            w.commit(mergetype=merge_small_segments)
            counts = _count(ix)
            ix.close()
            info = _info(version, counts, meta)
            _publish(index_dir, building, version, info, plan.files)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        return stats

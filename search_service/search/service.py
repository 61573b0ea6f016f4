"""The one search pipeline: a request -> the plain dict every view of it shares.

`match_request` parses (with the wildcard cap), matches through search/execute.py under the
time limit, filters, and offers a better spelling (retrying a one-edit correction when
nothing matched). The results page, the grouped view, the export and the trends chart are
each a different reading of its Matches, so they can never disagree about what matched.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from search_service.index.reader import IndexHandle
from search_service.index.state import VersionState
from search_service.search.execute import match_lazily
from search_service.search.facets import FacetTable, count_facets, facet_table, filter_test
from search_service.search.highlight import PLACED_MAX, MarkTerms, terms_to_mark
from search_service.search.hits import export_row, group_dict, shown_hit
from search_service.search.lessons_view import attach_notes
from search_service.search.limits import PARTIAL_NOTE, Deadline, Limits, cap_expansions
from search_service.search.parse import ParsedQuery, parse_query
from search_service.search.phrase_boost import PhraseBoost
from search_service.search.postings import doc_positions
from search_service.search.ranking import ranked, top
from search_service.search.request import MAX_PER_PAGE, SearchRequest
from search_service.search.suggest import suggest
from search_service.search.trends import count_reviews_per_year
from search_service.search.warm import warm_state

# Fewer hits than this and we look for a better spelling of the query.
FEW_RESULTS = 3


def open_index(index_dir: Path) -> IndexHandle:
    """A handle on the index in index_dir whose new versions are warmed for searching."""
    return IndexHandle(index_dir, warm=warm_state)


@dataclass
class Matches:
    """What a request matched: every match with its score, which pass the filters, and how
    the query was read (notes, a better spelling, whether the time limit cut it short)."""

    handle: IndexHandle
    searcher: object
    state: VersionState
    table: FacetTable
    parsed: ParsedQuery
    deadline: Deadline
    matched: list[int] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    boost: PhraseBoost | None = None  # a phrase boost not read in every report page yet
    keep: object = None  # a docnum -> bool test, or None when no filter applies
    kept: list[int] = field(default_factory=list)
    suggestion: str | None = None
    corrected: str | None = None

    @property
    def partial(self) -> bool:
        """Whether the time limit stopped matching early (results and counts are partial)."""
        return self.deadline.hit

    @property
    def notes(self) -> list[str]:
        """What the user should be told about how the query was read and run."""
        return self.parsed.notes + ([PARTIAL_NOTE] if self.partial else [])

    def ranked(self, sort: str) -> list[int]:
        """Every kept docnum in the order the results page shows them."""
        if self.parsed.query is None or sort != "relevance":
            return _sorted_docnums(self.table, self.kept, sort)
        self._settle(None)
        return ranked(self.matched, self.scores, self.keep)

    def page(self, sort: str, start: int, count: int) -> list[int]:
        """The kept docnums from start, count of them, in page order."""
        if self.parsed.query is None or sort != "relevance":
            return _sorted_docnums(self.table, self.kept, sort)[start : start + count]
        self._settle(start + count)
        return top(self.matched, self.scores, self.keep, start + count)[start:]

    def _settle(self, n: int | None) -> None:
        """Read the phrase boost where the n best could need it (everywhere: None)."""
        if self.boost is not None:
            self.boost.settle(self.matched, self.scores, self.keep, n)

    def hits(self, docnums: list[int], marks: MarkTerms | None = None) -> list[dict]:
        """Hits for docnums, marked with the query's words (or marks)."""
        if marks is None:
            marks = terms_to_mark(self.parsed.query, self.searcher.reader())
        analyzer = self.searcher.schema["text"].analyzer
        wanted = marks.tokens
        placed = (
            doc_positions(self.searcher, self.state, "text", wanted, docnums)
            if marks and len(wanted) <= PLACED_MAX
            else {}
        )
        hits = [
            shown_hit(self.handle.stored_fields(d), analyzer, marks, placed.get(d)) for d in docnums
        ]
        attach_notes(self.handle, hits, docnums, wait=False)
        return hits


def _sorted_docnums(table: FacetTable, kept: list[int], sort: str) -> list[int]:
    if sort == "relevance":
        return sorted(kept)
    # Newest or oldest by publication; undated reviews last either way, then index order.
    newest = sort == "newest"
    return sorted(
        kept,
        key=lambda d: (
            table.published[d] is None,
            -(table.published[d] or 0) if newest else (table.published[d] or 0),
            d,
        ),
    )


def _parse(searcher, state: VersionState, q: str, limits: Limits) -> ParsedQuery:
    pq = parse_query(searcher.schema, q, memo=state.plain_words)
    pq.query, capped = cap_expansions(pq.query, searcher.reader(), limits.max_expansions)
    pq.notes += capped
    return pq


def _find(m: Matches, req: SearchRequest) -> None:
    """Match m.parsed and filter: every match with its BM25F score, in one pass."""
    table = m.table
    if m.parsed.query is None:
        m.matched, m.scores = [d for d in table.live if table.has_text[d]], []
    else:
        found = match_lazily(m.searcher, m.state, m.parsed.query, m.deadline)
        m.matched, m.scores, m.boost = found
        if table.listed:
            m.scores = _demoted(table.listed, m.matched, m.scores)
            if m.boost is not None:
                m.boost.demote(m.matched, table.listed, LISTING_WEIGHT)
    # Without a type filter every kind of hit is shown; the type facet narrows.
    m.keep = filter_test(table, req)
    m.kept = m.matched if m.keep is None else [d for d in m.matched if m.keep(d)]


# A contents page, glossary or index matches by listing a word: its score is cut to this
# share, so it ranks after every recommendation or page of prose that uses the word (BM25F
# scores here are about 0.1 to 50), and listing pages keep their order among themselves.
LISTING_WEIGHT = 1e-4


def _demoted(listed: frozenset[int], matched: list[int], scores: list[float]) -> list[float]:
    """Scores with those of listing pages (contents, glossary, index) cut to LISTING_WEIGHT."""
    if not listed.intersection(matched):
        return scores
    return [s * LISTING_WEIGHT if d in listed else s for d, s in zip(matched, scores, strict=True)]


def match_request(handle: IndexHandle, req: SearchRequest, limits: Limits) -> Matches:
    """Parse, match, filter and check the spelling of one request, within limits."""
    searcher = handle.searcher()
    state = handle.state
    table = facet_table(state, searcher)  # may wait for the warm-up: outside the limit
    deadline = Deadline(limits.time_limit)
    pq = _parse(searcher, state, req.q, limits)
    m = Matches(handle, searcher, state, table, pq, deadline)
    _find(m, req)
    if pq.query is None or len(m.kept) >= FEW_RESULTS or deadline.hit:
        return m
    better = suggest(searcher.reader(), searcher.schema, pq.text, few_results=True, state=state)
    if not better:
        return m
    m.suggestion = better.text
    if not m.kept and better.one_edit and req.correct:
        # Nothing for the exact words: show what the near words find, and say so.
        again = Matches(
            handle, searcher, state, m.table, _parse(searcher, state, better.text, limits), deadline
        )
        _find(again, req)
        if again.kept:
            again.suggestion = again.corrected = better.text
            again.parsed.notes.append(
                f"No results for “{req.q}”. Showing results for “{better.text}”."
            )
            return again
    return m


def _paging(req: SearchRequest, total: int) -> tuple[int, int, int]:
    """(page, per_page, first index) of a request, and the data's paging keys follow them."""
    per_page = max(1, min(req.per_page, MAX_PER_PAGE))
    page = max(1, req.page)
    return page, per_page, (page - 1) * per_page


def _about(m: Matches, facets, req: SearchRequest, started: float) -> dict:
    """What the results page and the grouped view both say beside their hits."""
    return {
        "facets": facets.values,
        "suggestion": m.suggestion,
        "corrected_query": m.corrected,
        "notes": m.notes,
        "expansions": m.parsed.expansions,
        "partial": m.partial,
        "facet_distinct": facets.distinct,
        "facet_size": req.facet_size,
        "took_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def run_search(handle: IndexHandle, req: SearchRequest, limits: Limits | None = None) -> dict:
    """Run one search and return the result dict shared by the page, the API and the CLI."""
    started = time.perf_counter()
    m = match_request(handle, req, limits or Limits())
    facets = count_facets(m.table, m.matched, req)
    total = len(m.kept)
    page, per_page, start = _paging(req, total)
    hits = m.hits(m.page(req.sort, start, per_page)) if m.kept and start < total else []
    return {
        "query": req.q,
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-total // per_page)),
        "hits": hits,
        **_about(m, facets, req, started),
    }


def group_by_review(
    handle: IndexHandle, req: SearchRequest, limits: Limits | None = None, per_review: int = 3
) -> dict:
    """Results as one entry per review, best review first, with its best matches beneath it."""
    started = time.perf_counter()
    m = match_request(handle, req, limits or Limits())
    facets = count_facets(m.table, m.matched, req)
    by_review: dict[str, list[int]] = {}
    for d in m.ranked(req.sort):
        by_review.setdefault(m.table.review_id[d], []).append(d)
    reviews = list(by_review.items())
    page, per_page, start = _paging(req, len(reviews))
    marks = terms_to_mark(m.parsed.query, m.searcher.reader())
    groups = []
    for review_id, docs in reviews[start : start + per_page]:
        # Recommendations first (they are what users cite), each kind in rank order.
        best = sorted(docs, key=lambda d: m.table.type[d] != "recommendation")[:per_review]
        recs = sum(1 for d in docs if m.table.type[d] == "recommendation")
        first = handle.stored_fields(docs[0])
        groups.append(group_dict(review_id, first, len(docs), recs, m.hits(best, marks)))
    return {
        "query": req.q,
        "group": "review",
        "total": len(reviews),
        "total_hits": len(m.kept),
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-len(reviews) // per_page)),
        "groups": groups,
        **_about(m, facets, req, started),
    }


@dataclass
class Export:
    """An export's row count, known before streaming, its rows as a lazy generator, and
    whether the time limit cut the matching short (with what to tell the user)."""

    total: int
    rows: Iterator[dict]
    partial: bool = False
    notes: list[str] = field(default_factory=list)


def export(
    handle: IndexHandle,
    req: SearchRequest,
    base_url: str = "",
    limits: Limits | None = None,
    chunk: int = 500,
) -> Export:
    """Every hit of a request, in page order, as flat rows read from the index a chunk at a time.

    The query runs now (so a bad one fails before any byte is sent); only the ranked
    docnums (ints) are held while the rows stream, so memory stays flat however many
    rows there are. base_url makes our own links absolute, for citing.
    """
    m = match_request(handle, req, limits or Limits())
    docnums = m.ranked(req.sort)
    rows = _export_rows(handle, m.table, docnums, base_url.rstrip("/"), chunk)
    return Export(len(docnums), rows, m.partial, m.notes)


def _export_rows(
    handle: IndexHandle, table: FacetTable, docnums: list[int], base: str, chunk: int
) -> Iterator[dict]:
    for i in range(0, len(docnums), chunk):
        for d in docnums[i : i + chunk]:
            yield export_row(handle.stored_fields(d), base, table.case(d))


def reviews_per_year(handle: IndexHandle, req: SearchRequest, limits: Limits | None = None) -> dict:
    """How many distinct reviews match a request in each year (of death or of publication)."""
    started = time.perf_counter()
    m = match_request(handle, req, limits or Limits())
    data = count_reviews_per_year(m.table, m.kept, req.year_field)
    return {
        "query": req.q,
        **data,
        "notes": m.notes,
        "partial": m.partial,
        "suggestion": m.suggestion,
        "took_ms": round((time.perf_counter() - started) * 1000, 1),
    }

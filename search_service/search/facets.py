"""Facet counts and filters over compact per-version arrays (docnum -> values).

Whoosh's `groupedby` facets cost over a second at 100k matches; counting over arrays built
once per index version costs tens of milliseconds.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from itertools import filterfalse
from operator import itemgetter
from typing import NamedTuple

from search_service.index.state import VersionState
from search_service.search.facet_registry import FACETS, HIT_TYPES, PER_REVIEW, SINGLE, Facet
from search_service.search.request import SearchRequest


class FacetTable:
    """Per-index-version arrays of docnum -> facet values, years and review ids.

    With the previous version's table, segments the two versions share (same segment id and
    size: `index --update` keeps them and adds a segment) are copied from it, and only their
    newly deleted documents are cleared; only new segments' stored fields are read.
    """

    def __init__(self, searcher, previous: FacetTable | None = None):
        reader = searcher.reader()
        size = reader.doc_count_all()
        self.values: dict[str, list[tuple[str, ...]]] = {name: [()] * size for name in FACETS}
        self.type: list[str | None] = [None] * size
        self.review_id: list[str] = [""] * size
        self.year_of_death: list[int | None] = [None] * size
        self.published: list[int | None] = [None] * size  # year * 100 + month, for sorting
        self.has_text = [False] * size
        # Report pages that only list words found elsewhere (contents, glossary, index).
        self.listing = [False] * size
        # review id -> its DHRD incident id, from its summary (linked reviews only).
        self.incident: dict[str, str] = dict(previous.incident) if previous is not None else {}
        # One object per distinct value (and per distinct tuple): counting hashes and compares
        # by identity, 3-4x faster than with a fresh string per document, and far less memory.
        self.canon: dict = dict(previous.canon) if previous is not None else {}
        self.segments: list[tuple[str, int, int]] = []  # (segment id, offset, doc_count_all)
        known = {seg: (at, n) for seg, at, n in previous.segments} if previous else {}
        for leaf, offset in reader.leaf_readers():
            seg = leaf.segment()
            seg_id = seg.segment_id() if seg is not None else None
            count = leaf.doc_count_all()
            self.segments.append((seg_id, offset, count))
            old = known.get(seg_id) if seg_id is not None else None
            if old is not None and old[1] == count:
                self._copy(previous, old[0], offset, count)
                for d in getattr(leaf, "deleted_docs_set", None) or ():
                    self._clear(offset + d)
            else:
                for d, stored in leaf.iter_docs():
                    self._fill(offset + d, stored)
        self.live = [d for d in range(size) if self.type[d] is not None]
        self.listed = frozenset(d for d in self.live if self.listing[d])
        self._spread_per_review()
        self.is_rec = [t == "recommendation" for t in self.type]
        # Every facet counts every kind of text the results hold, so a value's count is the
        # number of results choosing it gives (an agency's are recommendations: only they
        # have addressees).
        self.counted = self.values
        # The single-valued facets' values together, one object per distinct combination
        # (~300 at 10x: a CSP has one region): one counting pass serves all three.
        self.together = [
            self.canon.setdefault(key, key)
            for key in zip(*(self.counted[name] for name in SINGLE), strict=True)
        ]
        # What counting reads: each document's entry as a small int (hashing an int costs a
        # third less than hashing a tuple, over tens of thousands of matches).
        self.coded = {name: _coded(self.counted[name]) for name in FACETS}
        self.together_coded = _coded(self.together)
        self._full: dict[str, Counter] | None = None  # full_counts(), once
        # Other sums over the whole version, each computed once (search/trends.py's).
        self.memo: dict = {}

    def full_counts(self) -> dict[str, Counter]:
        """Every facet's counts over the whole version (matching everything), computed once."""
        if self._full is None:
            self._full = _counts(self, self.live, SearchRequest())
        return self._full

    def _spread_per_review(self) -> None:
        """Give every document its review's per-review values (stored on its summary only)."""
        if not PER_REVIEW:
            return
        summary = {self.review_id[d]: d for d in self.live if self.type[d] == "summary"}
        for name in PER_REVIEW:
            values = self.values[name]
            on_summary = {rid: values[d] for rid, d in summary.items()}
            self.values[name] = [on_summary.get(rid, ()) for rid in self.review_id]

    def _fill(self, docnum: int, stored: dict) -> None:
        canon = self.canon
        for name, facet in FACETS.items():
            raw = stored.get(facet.stored)
            if facet.per_review:
                raw = (raw or {}).get("values", {}).get(name)
            values = tuple(raw or ()) if facet.multi else ((raw,) if raw else ())
            values = tuple(canon.setdefault(v, v) for v in values)
            self.values[name][docnum] = canon.setdefault(values, values)
        self.type[docnum] = stored.get("type")
        self.review_id[docnum] = stored.get("review_id", "")
        if stored.get("dhrd", {}).get("incident"):
            self.incident[self.review_id[docnum]] = stored["dhrd"]["incident"]
        self.year_of_death[docnum] = stored.get("year_of_death")
        year = stored.get("published_year")
        self.published[docnum] = year * 100 + (stored.get("published_month") or 0) if year else None
        self.has_text[docnum] = bool(stored.get("text"))
        self.listing[docnum] = stored.get("kind") not in (None, "text")

    def _copy(self, previous: FacetTable, start: int, offset: int, count: int) -> None:
        end = start + count
        for name in FACETS:
            self.values[name][offset : offset + count] = previous.values[name][start:end]
        for attr in ("type", "review_id", "year_of_death", "published", "has_text", "listing"):
            getattr(self, attr)[offset : offset + count] = getattr(previous, attr)[start:end]

    def _clear(self, docnum: int) -> None:
        for name in FACETS:
            self.values[name][docnum] = ()
        self.type[docnum] = None
        self.review_id[docnum] = ""
        self.year_of_death[docnum] = None
        self.published[docnum] = None
        self.has_text[docnum] = False
        self.listing[docnum] = False

    def case(self, d: int) -> dict:
        """The DHRD characteristics of document d's review ({} when it is not linked)."""
        found = {name: self.values[name][d] for name in PER_REVIEW if self.values[name][d]}
        if found:
            found["incident"] = self.incident.get(self.review_id[d])
        return found

    def year(self, d: int, year_field: str) -> int | None:
        """Year of death, or year published, of the review a document belongs to."""
        if year_field == "published":
            stamp = self.published[d]
            return stamp // 100 if stamp else None
        return self.year_of_death[d]


class Coded(NamedTuple):
    """Each document's entry (a tuple of values) as an int code, and the entries by code."""

    codes: list[int]
    entries: list


def _coded(entries: list) -> Coded:
    ids: dict = {}
    return Coded([ids.setdefault(e, len(ids)) for e in entries], list(ids))


def facet_table(state: VersionState, searcher) -> FacetTable:
    """The arrays of the searcher's index version, built once and kept in the version's state.

    Built by one thread at a time: a search arriving while the version's warm-up thread
    builds them waits for that build instead of repeating it.
    """

    def build() -> FacetTable:
        table = FacetTable(searcher, state.previous_facets)
        state.previous_facets = None
        return table

    return state.facets.get(build)


def matches(table: FacetTable, d: int, req: SearchRequest, skip: str | None = None) -> bool:
    """Whether document d passes the request's filters, leaving out facet `skip`."""
    for name, chosen in req.filters.items():
        if name == skip or not chosen:
            continue
        if not any(v in chosen for v in table.values[name][d]):
            return False
    if req.year_from is not None or req.year_to is not None:
        year = table.year(d, req.year_field)
        if year is None:
            return False
        if req.year_from is not None and year < req.year_from:
            return False
        if req.year_to is not None and year > req.year_to:
            return False
    return True


def filter_test(table: FacetTable, req: SearchRequest, skip: str | None = None):
    """A docnum -> bool test for the request's filters (leaving out `skip`); None when none apply."""
    if (
        req.year_from is None
        and req.year_to is None
        and not any(chosen for name, chosen in req.filters.items() if name != skip)
    ):
        return None
    return lambda d: matches(table, d, req, skip=skip)


@dataclass
class FacetCounts:
    """Each facet's listed values (value, count, selected) and how many distinct values it has."""

    values: dict[str, list[dict]] = field(default_factory=dict)
    distinct: dict[str, int] = field(default_factory=dict)


def count_facets(table: FacetTable, matched: list[int], req: SearchRequest) -> FacetCounts:
    """Value/count/selected lists per facet over the matched documents.

    Disjunctive: a facet's counts ignore its own selection, so ticking a second value
    shows what it would add. Each facet lists its req.facet_size most frequent values (all
    when None), then any selected value not among them, so a choice can always be undone.
    """
    counts: dict[str, Counter] = {}
    if (
        (not req.filters or not any(req.filters.values()))
        and req.year_from is None
        and req.year_to is None
        and len(matched) > 0.7 * len(table.live)
    ):
        counts = _counts_by_complement(table, matched)
    else:
        counts = _counts(table, matched, req)
    out = FacetCounts()
    for name, facet in FACETS.items():
        selected = set(req.chosen(name))
        if facet.order:  # a short list of its own order: every value it holds, in that order
            rank = {v: i for i, v in enumerate(facet.order)}
            items = sorted(counts[name].items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))
        else:
            items = _most_frequent(counts[name], req.facet_size)
        values = [{"value": v, "count": c, "selected": v in selected} for v, c in items]
        listed = {v for v, _ in items}
        # A selected value stays listed (with its count, 0 if none) so it can be undone.
        values += [
            {"value": v, "count": counts[name].get(v, 0), "selected": True}
            for v in sorted(selected - listed, key=lambda v: (-counts[name].get(v, 0), v))
        ]
        out.values[name] = values
        out.distinct[name] = len(counts[name].keys() | selected)
    return out


def _order(kv: tuple[str, int]) -> tuple:
    # Ties in count go by name, then by exact value (so the order never depends on the
    # order documents were counted in).
    return (-kv[1], kv[0].lower(), kv[0])


def _most_frequent(counts: Counter, size: int | None) -> list[tuple[str, int]]:
    """The size most frequent (value, count) pairs in _order (all when size is None)."""
    if size is None or len(counts) <= size:
        return sorted(counts.items(), key=_order)
    # The size-th highest count over plain ints first (in C), so only values reaching it
    # (those shown, and ties) are ordered by name: ~1,200 agencies, 30 shown.
    least = heapq.nlargest(size, counts.values())[-1]
    return sorted((kv for kv in counts.items() if kv[1] >= least), key=_order)[:size]


def _counts_by_complement(table: FacetTable, matched: list[int]) -> dict[str, Counter]:
    """Counts when most documents match: the whole version's minus the unmatched ones'.

    Matches are live documents, so this is the same as counting the matches (and Counter's
    subtraction keeps only positive counts, as counting would)."""
    full = table.full_counts()
    if len(matched) == len(table.live):
        return dict(full)  # every document matched (they are distinct): nothing to subtract
    rest = list(filterfalse(set(matched).__contains__, table.live))
    unmatched = _counts(table, rest, SearchRequest())
    return {name: counts - unmatched[name] for name, counts in full.items()}


def _counts(table: FacetTable, matched: list[int], req: SearchRequest) -> dict[str, Counter]:
    counts: dict[str, Counter] = {}
    # Which matched documents pass every filter; a facet with a selection of its own needs
    # its own pass over them (its counts ignore it), the others share one.
    test = filter_test(table, req)
    passing = matched if test is None else [d for d in matched if test(d)]
    # One pass over the combined values counts every facet of SINGLE; those with a
    # selection of their own are counted again below, ignoring it.
    for name, found in zip(SINGLE, _count_together(table.together_coded, passing), strict=True):
        if not req.chosen(name):
            counts[name] = found
    for name in FACETS:
        if name in counts:
            continue
        docs = passing
        if req.chosen(name):
            own = filter_test(table, req, skip=name)
            docs = matched if own is None else [d for d in matched if own(d)]
        counts[name] = _count(table.coded[name], docs)
    return counts


def _held(coded: Coded, docs: list[int]) -> list[tuple]:
    """(entry, how many of docs hold it) for each distinct entry the docs hold."""
    codes, entries = coded
    # itemgetter: one C call, where map() calls per document (for two documents or more).
    picked = itemgetter(*docs)(codes) if len(docs) > 1 else [codes[d] for d in docs]
    return [(entries[code], n) for code, n in Counter(picked).items()]


def _count(coded: Coded, docs: list[int]) -> Counter:
    """How many of docs hold each value."""
    counts: Counter = Counter()
    get = counts.get  # not counts[v] += n: Counter.__missing__ is Python
    # Each distinct tuple of values counted once, then its values: far fewer tuples than docs.
    for values_held, n in _held(coded, docs):
        for value in values_held:
            counts[value] = get(value, 0) + n
    return counts


def _count_together(together: Coded, docs: list[int]) -> list[Counter]:
    """_count for each single-valued facet, from one pass over their combined values."""
    counts = [Counter() for _ in SINGLE]
    for combination, n in _held(together, docs):
        for facet_counts, values_held in zip(counts, combination, strict=True):
            for value in values_held:
                facet_counts[value] = facet_counts.get(value, 0) + n
    return counts


__all__ = ["FACETS", "HIT_TYPES", "Facet", "FacetTable", "count_facets", "facet_table"]

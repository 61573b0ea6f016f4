"""The library as a whole: every review listed (/reviews), and a search's reviews newest first (feeds).

No URLs beyond our own paths (links.py) and no HTML: web/reviews_list.py and web/feeds.py
render these as pages, JSON and Atom.
"""

from __future__ import annotations

import re
import weakref
from collections import Counter
from dataclasses import dataclass

from search_service.index.reader import IndexHandle
from search_service.links import report_url, review_url
from search_service.model import format_month_year
from search_service.search.facets import FacetTable, facet_table
from search_service.search.hits import hit_dict
from search_service.search.limits import Limits
from search_service.search.request import SearchRequest
from search_service.search.service import match_request

# How /reviews may be ordered; the first is the default.
LIST_SORTS = ("newest", "oldest", "title", "csp")
# Reviews a page of /reviews lists unless asked (per_page), and at most.
LIST_PER_PAGE = 50
LIST_MAX_PER_PAGE = 200
LIST_MAX_PAGE = 10**6
# Reviews a feed lists, newest first, and the matching recommendations each entry lists.
FEED_ENTRIES = 50
FEED_RECOMMENDATIONS = 20


@dataclass(frozen=True)
class ReviewRow:
    """One review as the list shows it, read from its summary document."""

    id: str
    title: str
    csp: str
    region: str
    published_year: int | None
    published_month: int | None
    year_of_death: int | None
    recommendations: int
    pdf_url: str
    synthetic: bool

    @property
    def stamp(self) -> int | None:
        """year * 100 + month (0 for a bare year), for ordering by publication; None undated."""
        if self.published_year is None:
            return None
        return self.published_year * 100 + (self.published_month or 0)

    def year(self, year_field: str) -> int | None:
        """The year of publication or of death, as the search's year_field names them."""
        return self.published_year if year_field == "published" else self.year_of_death

    def as_dict(self) -> dict:
        """The JSON shape of one listed review."""
        return {
            "id": self.id,
            "title": self.title,
            "csp": self.csp,
            "region": self.region,
            "published": format_month_year(self.published_month, self.published_year),
            "published_year": self.published_year,
            "published_month": self.published_month,
            "year_of_death": self.year_of_death,
            "recommendations": self.recommendations,
            "pdf_url": self.pdf_url,
            "review_url": review_url(self.id),
            "synthetic": self.synthetic,
        }


# FacetTable (one per index version) -> its reviews: read once per version, dropped with it.
_ROWS: weakref.WeakKeyDictionary[FacetTable, list[ReviewRow]] = weakref.WeakKeyDictionary()


def _rows(handle: IndexHandle, table: FacetTable) -> list[ReviewRow]:
    rows = _ROWS.get(table)
    if rows is not None:
        return rows
    recs = Counter(table.review_id[d] for d in table.live if table.is_rec[d])
    rows = []
    for d in table.live:
        if table.type[d] != "summary":  # every review has exactly one (index/schema.py)
            continue
        stored = handle.stored_fields(d)
        rid = stored.get("review_id", "")
        rows.append(
            ReviewRow(
                id=rid,
                title=stored.get("title", "") or rid,
                csp=stored.get("csp", "") or "",
                region=stored.get("region", "") or "",
                published_year=stored.get("published_year"),
                published_month=stored.get("published_month"),
                year_of_death=stored.get("year_of_death"),
                recommendations=recs.get(rid, 0),
                pdf_url=report_url(stored),
                synthetic=bool(stored.get("synthetic")),
            )
        )
    # Two threads may both build it once; the result is the same.
    _ROWS[table] = rows
    return rows


def all_reviews(handle: IndexHandle) -> list[ReviewRow]:
    """Every review of the live index version, in index order."""
    return _rows(handle, facet_table(handle.state, handle.searcher()))


def _newest_key(row: ReviewRow) -> tuple:
    # Undated reviews last; ties by id so the order never depends on the index's.
    return (row.stamp is None, -(row.stamp or 0), row.id)


def _sort_key(sort: str):
    if sort == "oldest":
        return lambda r: (r.stamp is None, r.stamp or 0, r.id)
    if sort == "title":
        return lambda r: (r.title.casefold(), r.id)
    if sort == "csp":
        return lambda r: (not r.csp, r.csp.casefold(), *_newest_key(r))
    return _newest_key


@dataclass(frozen=True)
class ListRequest:
    """What /reviews asks for: filters (values of one mean either), a year range, order, page."""

    regions: tuple[str, ...] = ()
    csps: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    year_field: str = "death"
    sort: str = LIST_SORTS[0]
    page: int = 1
    per_page: int = LIST_PER_PAGE


def _keep(row: ReviewRow, req: ListRequest) -> bool:
    if req.regions and row.region not in req.regions:
        return False
    if req.csps and row.csp not in req.csps:
        return False
    if req.year_from is None and req.year_to is None:
        return True
    year = row.year(req.year_field)
    if year is None:
        return False
    return (req.year_from is None or year >= req.year_from) and (
        req.year_to is None or year <= req.year_to
    )


def _options(rows: list[ReviewRow], attr: str) -> list[dict]:
    counts = Counter(getattr(r, attr) for r in rows if getattr(r, attr))
    return [
        {"value": v, "reviews": n} for v, n in sorted(counts.items(), key=lambda kv: kv[0].lower())
    ]


def list_reviews(handle: IndexHandle, req: ListRequest) -> dict:
    """One page of the library's reviews, filtered and ordered, with the values to filter by."""
    rows = all_reviews(handle)
    kept = sorted((r for r in rows if _keep(r, req)), key=_sort_key(req.sort))
    pages = max(1, -(-len(kept) // req.per_page))
    start = (req.page - 1) * req.per_page
    return {
        "total": len(kept),
        "total_reviews": len(rows),
        "page": req.page,
        "per_page": req.per_page,
        "pages": pages,
        "sort": req.sort,
        "filters": {"region": list(req.regions), "csp": list(req.csps)},
        "year_from": req.year_from,
        "year_to": req.year_to,
        "year_field": req.year_field,
        "reviews": [r.as_dict() for r in kept[start : start + req.per_page]],
        "options": {"region": _options(rows, "region"), "csp": _options(rows, "csp")},
    }


@dataclass
class FeedReview:
    """One review a search matches, as a feed entry: its metadata and matching recommendations."""

    review: dict  # ReviewRow.as_dict()
    recommendations: list[dict]  # hit_dict()s, in number order, at most FEED_RECOMMENDATIONS
    matching_recommendations: int
    other_matches: int  # matching summaries and report pages


@dataclass
class FeedResult:
    """A search's matching reviews, newest first, and how the search was read."""

    reviews: list[FeedReview]
    total_reviews: int
    notes: list[str]
    partial: bool


def _number_key(number) -> tuple:
    parts = re.findall(r"\d+|\D+", str(number or ""))
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


def feed_reviews(
    handle: IndexHandle, req: SearchRequest, limits: Limits | None = None, limit: int = FEED_ENTRIES
) -> FeedResult:
    """The reviews a search matches, newest published first (ties by id, undated last).

    Every kept match counts (the search's filters apply, its sort and paging do not); each
    review lists its matching recommendations by number. Raises QueryError as searches do.
    """
    m = match_request(handle, req, limits or Limits())
    table = m.table
    by_review: dict[str, list[int]] = {}
    for d in m.kept:
        by_review.setdefault(table.review_id[d], []).append(d)
    rows = {r.id: r for r in _rows(handle, table)}
    found = [rows[rid] for rid in by_review if rid in rows]
    found.sort(key=_newest_key)
    entries = []
    for row in found[:limit]:
        docs = by_review[row.id]
        recs = [d for d in docs if table.is_rec[d]]
        stored = sorted(
            (handle.stored_fields(d) for d in recs), key=lambda s: _number_key(s.get("number"))
        )
        hits = [hit_dict(s) for s in stored[:FEED_RECOMMENDATIONS]]
        entries.append(FeedReview(row.as_dict(), hits, len(recs), len(docs) - len(recs)))
    return FeedResult(entries, len(found), m.notes, m.partial)

"""What the library holds, for the search page before anything is typed."""

from __future__ import annotations

from collections import Counter

from search_service.index.reader import IndexHandle
from search_service.links import review_url
from search_service.model import format_month_year
from search_service.search.facets import facet_table

NEWEST = 5
# Searches that show what the service does; each is run by following its link.
EXAMPLES = (
    '"forensic curiosity"',
    "MARAC referral threshold",
    "coercive control training",
    "GP routine enquiry",
    "probation risk management plan",
)


def library_overview(handle: IndexHandle) -> dict:
    """Counts of reviews, recommendations and report pages, years, regions, sectors, newest."""
    state, searcher = handle.state, handle.searcher()
    table = facet_table(state, searcher)
    found = table.memo.get("overview")
    if found is not None:
        return found
    kinds = Counter(table.type[d] for d in table.live)
    summaries = [d for d in table.live if table.type[d] == "summary"]
    years = [table.year(d, "published") for d in summaries]
    known = [y for y in years if y is not None]
    regions = Counter(v for d in summaries for v in table.values["region"][d])
    sectors = Counter(v for d in table.live if table.is_rec[d] for v in table.values["sector"][d])
    newest = sorted(
        (d for d in summaries if table.published[d]),
        key=lambda d: (-table.published[d], table.review_id[d]),
    )[:NEWEST]
    found = {
        "reviews": kinds["summary"],
        "recommendations": kinds["recommendation"],
        "report_pages": kinds["passage"],
        "first_year": min(known) if known else None,
        "last_year": max(known) if known else None,
        "regions": [{"value": r, "reviews": n} for r, n in sorted(regions.items())],
        "sectors": [{"value": s, "recommendations": n} for s, n in sectors.most_common()],
        "newest": [_review_line(handle, d) for d in newest],
        "examples": list(EXAMPLES),
    }
    return table.memo.setdefault("overview", found)


def _review_line(handle: IndexHandle, docnum: int) -> dict:
    stored = handle.stored_fields(docnum)
    return {
        "review_id": stored.get("review_id", ""),
        "title": stored.get("title", ""),
        "csp": stored.get("csp", ""),
        "published": format_month_year(stored.get("published_month"), stored.get("published_year")),
        "review_url": review_url(stored.get("review_id", "")),
    }

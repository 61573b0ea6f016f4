"""Matching reviews (and recommendations) per year, counted from the per-docnum arrays.

web/charts.py draws them. Each year also says how many reviews the whole library has
that year, and the matching reviews' share of them: publication volume varies from year
to year, so a count alone can mislead.
"""

from __future__ import annotations

from collections.abc import Iterable

# What a trend counts: distinct reviews, or matching recommendations.
COUNTS = ("reviews", "recommendations")


def library_reviews_per_year(table, year_field: str) -> dict[int, int]:
    """How many reviews the whole index version has in each year (kept on the table)."""
    key = ("library_years", year_field)
    found = table.memo.get(key)
    if found is None:
        found = {}
        for d in table.live:
            if table.type[d] == "summary":
                year = table.year(d, year_field)
                if year is not None:
                    found[year] = found.get(year, 0) + 1
        # Two threads may both count: the first one stored wins, each a complete dict.
        found = table.memo.setdefault(key, found)
    return found


def count_reviews_per_year(table, docnums: Iterable[int], year_field: str) -> dict:
    """Distinct reviews (and recommendations) per year among docnums, every year between the
    first and last included, with the library's reviews that year and the share matching.

    table is a facets.FacetTable (anything with review_id, type and year(d, field)); a review
    is counted once however many of its texts match, and reviews with no known year are
    counted apart rather than dropped silently.
    """
    years: dict[int, set[str]] = {}
    recs: dict[int, int] = {}
    unknown: set[str] = set()
    for d in docnums:
        year = table.year(d, year_field)
        review = table.review_id[d]
        if year is None:
            unknown.add(review)
        else:
            years.setdefault(year, set()).add(review)
            if table.type[d] == "recommendation":
                recs[year] = recs.get(year, 0) + 1
    # Gaps are shown as zero: a missing bar would read as "no data", not "no reviews".
    span = range(min(years), max(years) + 1) if years else range(0)
    counted = {r for reviews in years.values() for r in reviews}
    library = library_reviews_per_year(table, year_field)
    rows = []
    for y in span:
        matching, total = len(years.get(y, ())), library.get(y, 0)
        rows.append(
            {
                "year": y,
                "reviews": matching,
                "recommendations": recs.get(y, 0),
                "all_reviews": total,
                "share": round(matching / total, 4) if total else None,
            }
        )
    return {
        "year_field": year_field,
        "years": rows,
        "unknown": len(unknown - counted),
        "total_reviews": len(counted | unknown),
    }

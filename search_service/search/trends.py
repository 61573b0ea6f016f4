"""Matching reviews per year, counted from the per-docnum arrays (web/charts.py draws them)."""

from __future__ import annotations

from collections.abc import Iterable


def count_reviews_per_year(table, docnums: Iterable[int], year_field: str) -> dict:
    """Distinct reviews per year among docnums, every year between the first and last included.

    table is a facets.FacetTable (anything with review_id and year(d, field)); a review is
    counted once however many of its texts match, and reviews with no known year are
    counted apart rather than dropped silently.
    """
    years: dict[int, set[str]] = {}
    unknown: set[str] = set()
    for d in docnums:
        year = table.year(d, year_field)
        review = table.review_id[d]
        if year is None:
            unknown.add(review)
        else:
            years.setdefault(year, set()).add(review)
    # Gaps are shown as zero: a missing bar would read as "no data", not "no reviews".
    span = range(min(years), max(years) + 1) if years else range(0)
    counted = {r for reviews in years.values() for r in reviews}
    return {
        "year_field": year_field,
        "years": [{"year": y, "reviews": len(years.get(y, ()))} for y in span],
        "unknown": len(unknown - counted),
        "total_reviews": len(counted | unknown),
    }

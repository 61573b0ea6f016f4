"""What a review's page shows of it: its recommendations a page at a time, and whether it
offers recommendations like the whole review. Both are bounded, so a review of 10,000
recommendations answers as quickly as one of ten (real reviews have a few dozen: one page)."""

from __future__ import annotations

from dataclasses import dataclass

from search_service.links import review_url

# One page shows this many recommendations in full; more are listed as links to their page.
RECS_PER_PAGE = 200
# "Like the whole review" reads every recommendation's words again (about 0.4 ms each), so
# beyond this many the page offers it per recommendation only (10,000 took 4 to 8 s).
WHOLE_REVIEW_SIMILAR_MAX = 200


@dataclass(frozen=True)
class RecommendationPages:
    """One page of a review's recommendations, and where every other one is."""

    page: int
    pages: int
    start: int  # how many come before this page
    shown: list[dict]
    # (number, link to it on its page) of each recommendation on another page: its anchor
    # stays on every page, so a link to /reviews/<id>#rec-N from a search still leads to N.
    elsewhere: list[tuple[str, str]]

    @property
    def first(self) -> int:
        """The position (from 1) of the first recommendation shown."""
        return self.start + 1

    @property
    def last(self) -> int:
        """The position of the last recommendation shown."""
        return self.start + len(self.shown)


def recommendation_pages(
    review_id: str, recommendations: list[dict], page: int | None, number: str | None
) -> RecommendationPages:
    """The page asked for (clamped), else the one holding recommendation number, else page 1."""
    pages = max(1, -(-len(recommendations) // RECS_PER_PAGE))
    if page is None and number is not None:
        at = next(i for i, r in enumerate(recommendations) if r.get("number") == number)
        page = at // RECS_PER_PAGE + 1
    page = min(max(page or 1, 1), pages)
    start = (page - 1) * RECS_PER_PAGE
    end = start + RECS_PER_PAGE
    # Built here, not in the template: thousands of links cost ~10x more through its filters.
    elsewhere = [
        (rec["number"], review_url(review_id, rec["number"], i // RECS_PER_PAGE + 1))
        for i, rec in enumerate(recommendations)
        if not start <= i < end
    ]
    return RecommendationPages(page, pages, start, recommendations[start:end], elsewhere)


def similar_to_whole_review(recommendations: list[dict]) -> bool:
    """Whether the page computes recommendations like the whole review (bounded, see above)."""
    return len(recommendations) <= WHOLE_REVIEW_SIMILAR_MAX

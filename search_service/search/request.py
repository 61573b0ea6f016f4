"""What a search asks for: the request every view, the API, the export and the CLI share."""

from __future__ import annotations

from dataclasses import dataclass, field

SORTS = ("relevance", "newest", "oldest")
YEAR_FIELDS = ("death", "published")
# How results are listed: every matching text, or one entry per review.
GROUPS = ("none", "review")
# Values a facet lists unless asked for more (?facet_size=N or max), as Datasette does.
FACET_SIZE = 30
MAX_PER_PAGE = 100


class QueryError(ValueError):
    """A request the search cannot answer; the message is shown to the user as it is."""


@dataclass
class SearchRequest:
    """Everything a search page, API call or export asks for."""

    q: str = ""
    # Facet name -> chosen values; values of one facet mean either, facets mean both.
    filters: dict[str, list[str]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    year_field: str = "death"
    sort: str = "relevance"
    group: str = "none"
    page: int = 1
    per_page: int = 20
    # How many values each facet lists, most frequent first (None: all of them).
    facet_size: int | None = FACET_SIZE
    # False: search for exactly what was typed, with no results for a near spelling instead.
    correct: bool = True

    def chosen(self, facet: str) -> list[str]:
        """The values chosen for one facet (empty when none)."""
        return self.filters.get(facet, [])

"""The facets: what each is called, which stored field it reads, how its values are shown.

Adding a facet is one entry in FACETS (and its stored field in index/schema.py): the
counts, filters, chips, page, API, export filters and OpenAPI document all read FACETS.
"""

from __future__ import annotations

from dataclasses import dataclass

from search_service.analysis.themes import THEMES
from search_service.corpus.dhrd_values import CHARACTERISTICS

HIT_TYPES = ("recommendation", "summary", "passage")


@dataclass(frozen=True)
class Facet:
    """A facet: its URL parameter, the stored field it reads, its label, and whose counts it shows.

    Adding a facet is one entry in FACETS (and its stored field in index/schema.py): the
    counts, filters, chips, page, API, export filters and OpenAPI document all read FACETS.
    """

    name: str
    stored: str
    label: str
    multi: bool = False
    # How a value is shown, where that differs from the value itself.
    value_labels: tuple[tuple[str, str], ...] = ()
    # The same for every document of a review, read from its summary's stored `stored`
    # dict (the DHRD's case characteristics): one copy per review in the index.
    per_review: bool = False
    # Values listed in this order (age bands, yes/no), not most frequent first.
    order: tuple[str, ...] = ()
    # Facets shown together under one heading on the page ("case": the DHRD's).
    group: str = ""

    def value_label(self, value: str) -> str:
        """How one value of this facet is shown."""
        return dict(self.value_labels).get(value, value)


FACETS: dict[str, Facet] = {
    f.name: f
    for f in (
        Facet(
            "type",
            "type",
            "Type of text",
            value_labels=(
                ("recommendation", "Recommendations"),
                ("summary", "Review summaries"),
                ("passage", "Report pages"),
            ),
        ),
        Facet("addressee", "addressees", "Addressed to", multi=True),
        Facet("sector", "sectors", "Sector", multi=True),
        Facet("csp", "csp", "Community Safety Partnership"),
        Facet("region", "region", "Region"),
        Facet(
            "theme", "themes", "Theme", multi=True, value_labels=THEMES, order=tuple(dict(THEMES))
        ),
        *(
            Facet(
                c.name,
                "dhrd",
                c.label,
                multi=True,
                per_review=True,
                order=c.values,
                group="case",
            )
            for c in CHARACTERISTICS
        ),
    )
}


# Facets whose values come in few distinct combinations over the documents (one value
# each, or the same for a whole review), counted together in one pass.
SINGLE = tuple(name for name, facet in FACETS.items() if not facet.multi or facet.per_review)
PER_REVIEW = tuple(name for name, facet in FACETS.items() if facet.per_review)

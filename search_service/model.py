"""Plain data classes for what the corpus holds; nothing here knows about Whoosh."""

from __future__ import annotations

from dataclasses import dataclass, field

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass
class Recommendation:
    """One recommendation of a review, addressed to one or more agencies."""

    review_id: str
    number: str
    text: str
    addressees: list[str] = field(default_factory=list)
    # The "Addressed to" cell exactly as written, before splitting into agencies.
    addressed_to: str = ""
    sectors: list[str] = field(default_factory=list)
    page: int | None = None
    # Where it was read: "page" (a review summary page), "table" or "list" (the report PDF).
    source: str = "page"


# What each Recommendation.source means, as the review page says it.
SOURCES = {
    "page": "the review's summary page",
    "table": "a table in the report",
    "list": "a numbered list in the report",
}


@dataclass
class Passage:
    """The text of one page of a review's report PDF (page numbers are 1-based)."""

    review_id: str
    page: int
    text: str
    # "text", or "contents", "glossary" or "index" (corpus/pdf/page_kinds.py): a page that
    # only lists words found elsewhere, ranked below the rest.
    kind: str = "text"


@dataclass
class Review:
    """One domestic homicide review: metadata, summary, recommendations, report passages."""

    id: str
    title: str = ""
    csp: str = ""
    region: str = ""
    published_year: int | None = None
    published_month: int | None = None
    year_of_death: int | None = None
    summary: str = ""
    source_url: str = ""
    pdf_url: str = ""
    pdf_path: str = ""
    synthetic: bool = False
    # How the review links to the DHRD (corpus/dhrd.py): status, explanation, incident id
    # and the incident's case characteristics; empty until linked or refused.
    dhrd: dict = field(default_factory=dict)
    recommendations: list[Recommendation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)

    @property
    def published(self) -> str:
        """Published date as people write it: 'April 2023', '2023' or ''."""
        return format_month_year(self.published_month, self.published_year)


def format_month_year(month: int | None, year: int | None) -> str:
    """Render (4, 2023) as 'April 2023'; a missing month gives the bare year."""
    if year is None:
        return ""
    if month is None:
        return str(year)
    return f"{MONTHS[month - 1]} {year}"


def parse_month_year(text: str) -> tuple[int | None, int | None]:
    """Read 'April 2023', 'Apr 2023' or '2023' into (month, year); unknown parts are None."""
    words = text.replace(",", " ").split()
    month = year = None
    for word in words:
        if word.isdigit() and len(word) == 4:
            year = int(word)
            continue
        for number, name in enumerate(MONTHS, start=1):
            if len(word) >= 3 and name.lower().startswith(word.lower().rstrip(".")):
                month = number
                break
    if year is None:
        month = None
    return month, year


@dataclass
class Skipped:
    """A corpus file that could not be indexed, and why, in words a user understands; or,
    with indexed, one that was indexed cut to a limit, and what was left out."""

    path: str
    reason: str
    indexed: bool = False

    def as_json(self) -> dict:
        """The entry meta.json's "skipped" list keeps (and `index --update` reads back)."""
        return {
            "file": self.path,
            "reason": self.reason,
            **({"indexed": True} if self.indexed else {}),
        }

"""What the user typed -> a Whoosh query, read sensibly, with notes on what was changed."""

from __future__ import annotations

from dataclasses import dataclass, field

from whoosh import qparser
from whoosh import query as wq

MAX_QUERY_CHARS = 1000
SORTS = ("relevance", "newest", "oldest")
YEAR_FIELDS = ("death", "published")
# How results are listed: every matching text, or one entry per review.
GROUPS = ("none", "review")
# Fields a user may name in a query ("csp:bolton"), mapped to the searchable field behind them.
FIELD_ALIASES = {
    "csp_text": ["csp"],
    "addressee_text": ["addressee", "agency"],
    "sector_text": ["sector"],
    "title": ["title"],
    "text": ["text"],
}
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "’": "'"})


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

    def chosen(self, facet: str) -> list[str]:
        """The values chosen for one facet (empty when none)."""
        return self.filters.get(facet, [])


def _parser(schema) -> qparser.QueryParser:
    parser = qparser.QueryParser("text", schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.PlusMinusPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    return parser


def normalise_query(q: str) -> tuple[str, list[str]]:
    """Straighten phone quotes and repair unbalanced quotes and brackets; note what changed."""
    notes: list[str] = []
    q = q.translate(_QUOTES).strip()
    if q.count('"') % 2:
        last = q.rfind('"')
        q = q[:last] + q[last + 1 :]
        notes.append("An unmatched quote mark was ignored.")
    if q.count("(") != q.count(")"):
        q = q.replace("(", " ").replace(")", " ")
        notes.append("Unbalanced brackets were ignored.")
    return q, notes


def parse_query(schema, q: str) -> tuple[wq.Query | None, list[str]]:
    """The Whoosh query for what the user typed (None for an empty query), with notes."""
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is too long ({len(q)} characters; at most {MAX_QUERY_CHARS}).")
    q, notes = normalise_query(q)
    if not q:
        return None, notes
    parsed = _parser(schema).parse(q)
    if isinstance(parsed, type(wq.NullQuery)):
        notes.append("The query has no searchable words, so nothing matched.")
    return parsed, notes

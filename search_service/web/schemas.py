"""JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of every JSON answer; openapi.py lists them."""

from __future__ import annotations

from search_service.search.facet_registry import PER_REVIEW
from search_service.search.facets import FACETS, HIT_TYPES
from search_service.search.library import LIST_MAX_PER_PAGE, LIST_SORTS
from search_service.search.request import GROUPS, MAX_PER_PAGE, SORTS, YEAR_FIELDS

PER_REVIEW_FACETS = list(PER_REVIEW)

STRING = {"type": "string"}
INT_OR_NULL = {"type": ["integer", "null"]}
STRINGS = {"type": "array", "items": STRING}
PARTIAL = {
    "type": "boolean",
    "description": "the per-query time limit stopped matching early: results and counts are partial",
}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: dict, optional: dict | None = None) -> dict:
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }


HIT = obj(
    {
        "type": {"enum": list(HIT_TYPES)},
        "review_id": STRING,
        "title": STRING,
        "text": STRING,
        "highlight": {**STRING, "description": "escaped HTML; only <mark> tags are live"},
        "addressees": STRINGS,
        "sectors": STRINGS,
        "csp": STRING,
        "region": STRING,
        "published": {**STRING, "description": "'April 2023', '2023' or ''"},
        "year_of_death": INT_OR_NULL,
        "page": INT_OR_NULL,
        "pdf_url": STRING,
        "review_url": STRING,
        "synthetic": {"type": "boolean"},
    },
    {
        "number": {"type": ["string", "null"]},
        "themes": {
            **STRINGS,
            "description": "recommendations only: theme ids (GET /api/themes lists them)",
        },
        "similar_url": {**STRING, "description": "recommendations only: those like it"},
        "lesson": {
            "description": "recommendations only, once the version's lessons are grouped: the "
            "recurring lesson it belongs to (GET /api/lessons/{id}), or null",
            "oneOf": [
                {"type": "null"},
                obj(
                    {
                        "group": STRING,
                        "other_reviews": {"type": "integer", "minimum": 0},
                        "first_year": INT_OR_NULL,
                        "url": STRING,
                    }
                ),
            ],
        },
        "kind": {
            "enum": ["text", "contents", "glossary", "index"],
            "description": "report pages only: a contents page, glossary or index lists words "
            "found elsewhere and ranks below the report's other pages",
        },
        "source": {
            "enum": ["page", "table", "list"],
            "description": "recommendations only: read from a review summary page, or from a "
            "table or numbered list in the report PDF",
        },
    },
)

FACET_VALUE = obj(
    {
        "value": STRING,
        "count": {"type": "integer", "minimum": 0},
        "selected": {"type": "boolean"},
        "toggle_url": STRING,
    }
)

_COMMON = {
    "query": STRING,
    "total": {"type": "integer", "minimum": 0},
    "page": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
    "pages": {"type": "integer", "minimum": 1},
    "facets": {
        "type": "object",
        "required": list(FACETS),
        "additionalProperties": {"type": "array", "items": ref("FacetValue")},
    },
    "facet_distinct": {
        "type": "object",
        "description": "how many distinct values each facet has among the matches",
        "required": list(FACETS),
        "additionalProperties": {"type": "integer", "minimum": 0},
    },
    "facet_size": {
        "type": ["integer", "null"],
        "description": "values each facet lists (null: all)",
    },
    "facet_all_url": {
        "type": ["string", "null"],
        "description": "this search listing every facet value; null when all are listed",
    },
    "suggestion": {"type": ["string", "null"]},
    "corrected_query": {
        "type": ["string", "null"],
        "description": "set when nothing matched the query as typed and these results are for this correction",
    },
    "notes": STRINGS,
    "expansions": {
        "type": "array",
        "description": "vocabulary terms the query was widened with",
        "items": obj({"typed": STRING, "also": STRINGS}),
    },
    "partial": PARTIAL,
    "took_ms": {"type": "number"},
    "group": {"enum": list(GROUPS)},
}

GROUP = obj(
    {
        "review_id": STRING,
        "title": STRING,
        "csp": STRING,
        "region": STRING,
        "published": STRING,
        "year_of_death": INT_OR_NULL,
        "review_url": STRING,
        "pdf_url": STRING,
        "matches": {"type": "integer", "minimum": 1},
        "recommendations": {"type": "integer", "minimum": 0},
        "hits": {"type": "array", "items": ref("Hit")},
    }
)

SEARCH = {
    "oneOf": [
        {
            **obj(
                {
                    **_COMMON,
                    "group": {"const": "none"},
                    "hits": {"type": "array", "items": ref("Hit")},
                },
                {
                    "suggestion_url": {
                        **STRING,
                        "description": "this search with the suggestion as its query",
                    },
                    "typed_url": {
                        **STRING,
                        "description": "after a correction: this search exactly as typed",
                    },
                },
            ),
            "description": "every matching text (group=none); total counts texts",
        },
        {
            **obj(
                {
                    **_COMMON,
                    "group": {"const": "review"},
                    "total_hits": {"type": "integer", "minimum": 0},
                    "groups": {"type": "array", "items": ref("ReviewGroup")},
                }
            ),
            "description": "one entry per review (group=review); total counts reviews",
        },
    ]
}

REVIEW = obj(
    {
        "id": STRING,
        "title": STRING,
        "csp": STRING,
        "region": STRING,
        "published": STRING,
        "year_of_death": INT_OR_NULL,
        "summary": STRING,
        "source_url": STRING,
        "pdf_url": STRING,
        "synthetic": {"type": "boolean"},
        "dhrd": ref("DhrdLink"),
        "recommendations": {"type": "array", "items": ref("Hit")},
        "pages": {"type": "integer", "minimum": 0},
        "review_url": STRING,
    }
)


SIMILAR = obj(
    {
        "review_id": STRING,
        "number": {"type": ["string", "null"]},
        "hits": {"type": "array", "items": ref("Hit")},
        "partial": PARTIAL,
    }
)

TREND = obj(
    {
        "query": STRING,
        "year_field": {"enum": list(YEAR_FIELDS)},
        "years": {
            "type": "array",
            "items": obj(
                {
                    "year": {"type": "integer"},
                    "reviews": {"type": "integer", "minimum": 0},
                    "recommendations": {"type": "integer", "minimum": 0},
                    "all_reviews": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "every review in the library that year",
                    },
                    "share": {
                        "type": ["number", "null"],
                        "description": "matching reviews / all reviews that year",
                    },
                }
            ),
        },
        "count": {"enum": ["reviews", "recommendations"]},
        "unknown": {"type": "integer", "minimum": 0},
        "total_reviews": {"type": "integer", "minimum": 0},
        "notes": STRINGS,
        "partial": PARTIAL,
        "suggestion": {"type": ["string", "null"]},
        "took_ms": {"type": "number"},
    }
)

EXPORT_ROW = obj(
    {
        "review_id": STRING,
        "title": STRING,
        "csp": STRING,
        "region": STRING,
        "published": STRING,
        "year_of_death": INT_OR_NULL,
        "type": {"enum": list(HIT_TYPES)},
        "number": {"type": ["string", "null"]},
        "page": INT_OR_NULL,
        "source": {"enum": ["page", "table", "list", None]},
        "text": STRING,
        "addressees": STRINGS,
        "sectors": STRINGS,
        "pdf_url": STRING,
        "review_url": {**STRING, "description": "absolute URL of the text on our review page"},
        "source_url": STRING,
        "synthetic": {"type": "boolean"},
        "themes": {**STRINGS, "description": "theme labels (recommendations only)"},
        "dhrd_incident": {"type": ["string", "null"]},
        **{name: STRINGS for name in PER_REVIEW_FACETS},
    }
)

EXPORT = obj(
    {
        "query": STRING,
        "filters": {"type": "object", "additionalProperties": STRINGS},
        "sort": {"enum": list(SORTS)},
        "exported_at": {**STRING, "format": "date-time"},
        "total": {"type": "integer", "minimum": 0},
        "partial": PARTIAL,
        "notes": STRINGS,
        "columns": STRINGS,
        "dhrd": obj({"citation": STRING, "false_means": STRING}),
        "results": {"type": "array", "items": ref("ExportRow")},
    }
)

COUNT = {"type": "integer", "minimum": 0}
OPTIONS = {"type": "array", "items": obj({"value": STRING, "reviews": COUNT})}

LISTED_REVIEW = obj(
    {
        "id": STRING,
        "title": STRING,
        "csp": STRING,
        "region": STRING,
        "published": {**STRING, "description": "'April 2023', '2023' or ''"},
        "published_year": INT_OR_NULL,
        "published_month": {"type": ["integer", "null"], "minimum": 1, "maximum": 12},
        "year_of_death": INT_OR_NULL,
        "recommendations": COUNT,
        "pdf_url": {**STRING, "description": "the report PDF ('' when there is none)"},
        "review_url": STRING,
        "synthetic": {"type": "boolean"},
    }
)

REVIEW_LIST = obj(
    {
        "total": {**COUNT, "description": "reviews that pass the filters"},
        "total_reviews": {**COUNT, "description": "reviews in the library"},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": LIST_MAX_PER_PAGE},
        "pages": {"type": "integer", "minimum": 1},
        "sort": {"enum": list(LIST_SORTS)},
        "filters": obj({"region": STRINGS, "csp": STRINGS}),
        "year_from": INT_OR_NULL,
        "year_to": INT_OR_NULL,
        "year_field": {"enum": list(YEAR_FIELDS)},
        "reviews": {"type": "array", "items": ref("ListedReview")},
        "options": obj(
            {"region": OPTIONS, "csp": OPTIONS},
        ),
        "prev_url": {"type": ["string", "null"]},
        "next_url": {"type": ["string", "null"]},
    }
)

HEALTH = obj(
    {
        "status": {"const": "ok"},
        "version": STRING,
        "built_at": STRING,
        "reviews": {"type": "integer"},
        "recommendations": {"type": "integer"},
        "summaries": {"type": "integer"},
        "passages": {"type": "integer"},
        "synthetic_reviews": {"type": "integer"},
        "warm": {
            "type": "boolean",
            "description": "the live version's caches are filled (false for a few seconds "
            "after a start or a new version; searches work meanwhile, more slowly)",
        },
    }
)

ERROR = obj(
    {"error": obj({"code": {"type": "integer", "minimum": 400, "maximum": 599}, "message": STRING})}
)

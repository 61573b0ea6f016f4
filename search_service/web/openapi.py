"""The OpenAPI 3.1 description of the JSON API, kept beside the routes and tested against them.

OpenAPI 3.1 schemas are JSON Schema 2020-12, so the tests validate real responses with them.
"""

from __future__ import annotations

from search_service.search.facets import FACETS, HIT_TYPES
from search_service.search.hits import EXPORT_COLUMNS
from search_service.search.request import FACET_SIZE, GROUPS, MAX_PER_PAGE, SORTS, YEAR_FIELDS

STRING = {"type": "string"}
INT_OR_NULL = {"type": ["integer", "null"]}
STRINGS = {"type": "array", "items": STRING}
PARTIAL = {
    "type": "boolean",
    "description": "the per-query time limit stopped matching early: results and counts are partial",
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: dict, optional: dict | None = None) -> dict:
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }


HIT = _obj(
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
    {"number": {"type": ["string", "null"]}},
)

FACET_VALUE = _obj(
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
        "additionalProperties": {"type": "array", "items": _ref("FacetValue")},
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
        "items": _obj({"typed": STRING, "also": STRINGS}),
    },
    "partial": PARTIAL,
    "took_ms": {"type": "number"},
    "group": {"enum": list(GROUPS)},
}

GROUP = _obj(
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
        "hits": {"type": "array", "items": _ref("Hit")},
    }
)

SEARCH = {
    "oneOf": [
        {
            **_obj(
                {
                    **_COMMON,
                    "group": {"const": "none"},
                    "hits": {"type": "array", "items": _ref("Hit")},
                },
                {
                    "suggestion_url": {
                        **STRING,
                        "description": "this search with the suggestion as its query",
                    }
                },
            ),
            "description": "every matching text (group=none); total counts texts",
        },
        {
            **_obj(
                {
                    **_COMMON,
                    "group": {"const": "review"},
                    "total_hits": {"type": "integer", "minimum": 0},
                    "groups": {"type": "array", "items": _ref("ReviewGroup")},
                }
            ),
            "description": "one entry per review (group=review); total counts reviews",
        },
    ]
}

REVIEW = _obj(
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
        "recommendations": {"type": "array", "items": _ref("Hit")},
        "pages": {"type": "integer", "minimum": 0},
        "review_url": STRING,
    }
)

SIMILAR = _obj(
    {
        "review_id": STRING,
        "number": {"type": ["string", "null"]},
        "hits": {"type": "array", "items": _ref("Hit")},
    }
)

TREND = _obj(
    {
        "query": STRING,
        "year_field": {"enum": list(YEAR_FIELDS)},
        "years": {
            "type": "array",
            "items": _obj(
                {"year": {"type": "integer"}, "reviews": {"type": "integer", "minimum": 0}}
            ),
        },
        "unknown": {"type": "integer", "minimum": 0},
        "total_reviews": {"type": "integer", "minimum": 0},
        "notes": STRINGS,
        "partial": PARTIAL,
        "suggestion": {"type": ["string", "null"]},
        "took_ms": {"type": "number"},
    }
)

EXPORT_ROW = _obj(
    {
        "review_id": STRING,
        "csp": STRING,
        "region": STRING,
        "published": STRING,
        "year_of_death": INT_OR_NULL,
        "type": {"enum": list(HIT_TYPES)},
        "number": {"type": ["string", "null"]},
        "page": INT_OR_NULL,
        "text": STRING,
        "addressees": STRINGS,
        "sectors": STRINGS,
        "pdf_url": STRING,
        "review_url": {**STRING, "description": "absolute URL of the text on our review page"},
    }
)

EXPORT = _obj(
    {
        "query": STRING,
        "filters": {"type": "object", "additionalProperties": STRINGS},
        "sort": {"enum": list(SORTS)},
        "exported_at": {**STRING, "format": "date-time"},
        "total": {"type": "integer", "minimum": 0},
        "partial": PARTIAL,
        "notes": STRINGS,
        "columns": STRINGS,
        "results": {"type": "array", "items": _ref("ExportRow")},
    }
)

HEALTH = _obj(
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

ERROR = _obj(
    {
        "error": _obj(
            {"code": {"type": "integer", "minimum": 400, "maximum": 599}, "message": STRING}
        )
    }
)


def _param(name: str, description: str, schema: dict, where: str = "query", **extra) -> dict:
    return {"name": name, "in": where, "description": description, "schema": schema, **extra}


def _search_params() -> list[dict]:
    """The parameters /api/search, /api/trends and /api/export share with /search."""
    facets = [
        _param(
            name,
            f"keep texts whose {name} is one of these values (repeatable; values of one "
            "filter mean either, different filters mean both)",
            {"type": "array", "items": {"enum": list(HIT_TYPES)} if name == "type" else STRING},
            style="form",
            explode=True,
        )
        for name in FACETS
    ]
    return [
        _param("q", "the query (see /help); empty lists everything", {**STRING, "maxLength": 1000}),
        *facets,
        _param("year_from", "earliest year (inclusive)", {"type": "integer"}),
        _param("year_to", "latest year (inclusive)", {"type": "integer"}),
        _param(
            "year_field",
            "which year the range and trends use",
            {"enum": list(YEAR_FIELDS), "default": YEAR_FIELDS[0]},
        ),
        _param("sort", "order of results", {"enum": list(SORTS), "default": SORTS[0]}),
    ]


def _ok(schema: str, description: str, media: str = "application/json") -> dict:
    return {"description": description, "content": {media: {"schema": _ref(schema)}}}


def _errors(*codes: int) -> dict:
    reasons = {400: "bad parameter or query", 404: "no such review", 503: "no index built yet"}
    return {str(c): _ok("Error", reasons[c]) for c in codes}


def openapi_document() -> dict:
    """The whole OpenAPI 3.1 document, as a plain dict ready for JSON."""
    review_id = _param("review_id", "the review's id, e.g. bolton-2023", STRING, "path")
    review_id["required"] = True
    paging = [
        _param("page", "page of results", {"type": "integer", "minimum": 1, "default": 1}),
        _param(
            "per_page",
            f"results per page (at most {MAX_PER_PAGE})",
            {"type": "integer", "minimum": 1, "default": 20},
        ),
        _param(
            "group",
            "none: every matching text; review: one entry per review",
            {"enum": list(GROUPS), "default": GROUPS[0]},
        ),
        _param(
            "facet_size",
            "values each facet lists, most frequent first (selected values are always "
            "listed too); max lists them all",
            {"type": "string", "pattern": "^([1-9][0-9]{0,5}|max)$", "default": str(FACET_SIZE)},
        ),
    ]
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "DHR Search API",
            "version": "1",
            "description": "Full-text search over UK Domestic Homicide Reviews. Every error "
            'is JSON: {"error": {"code", "message"}}.',
        },
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search recommendations, summaries and report pages",
                    "parameters": [*_search_params(), *paging],
                    "responses": {
                        "200": _ok("SearchResponse", "one page of results with facets"),
                        **_errors(400, 503),
                    },
                }
            },
            "/api/export": {
                "get": {
                    "summary": "Every result of a search (not one page), streamed",
                    "parameters": [
                        *_search_params(),
                        _param(
                            "format", "file format", {"enum": ["csv", "json"], "default": "csv"}
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "an attachment named after the query and the date",
                            "content": {
                                "application/json": {"schema": _ref("Export")},
                                "text/csv": {
                                    "schema": {
                                        **STRING,
                                        "description": "header row: " + ",".join(EXPORT_COLUMNS),
                                    }
                                },
                            },
                        },
                        **_errors(400, 503),
                    },
                }
            },
            "/api/trends": {
                "get": {
                    "summary": "Matching reviews per year",
                    "parameters": _search_params(),
                    "responses": {"200": _ok("Trend", "counts per year"), **_errors(400, 503)},
                }
            },
            "/api/reviews/{review_id}": {
                "get": {
                    "summary": "One review with every recommendation",
                    "parameters": [review_id],
                    "responses": {"200": _ok("Review", "the review"), **_errors(404, 503)},
                }
            },
            "/api/reviews/{review_id}/similar": {
                "get": {
                    "summary": "Recommendations in other reviews that read like this one's",
                    "parameters": [
                        review_id,
                        _param("number", "one recommendation's number; all when absent", STRING),
                        _param(
                            "limit",
                            "how many",
                            {"type": "integer", "minimum": 1, "maximum": 50, "default": 5},
                        ),
                    ],
                    "responses": {
                        "200": _ok("Similar", "similar recommendations, best first"),
                        **_errors(400, 404, 503),
                    },
                }
            },
            "/api/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI 3.1 document"}},
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Index version and counts",
                    "responses": {"200": _ok("Health", "the live index"), **_errors(503)},
                }
            },
        },
        "components": {
            "schemas": {
                "Hit": HIT,
                "FacetValue": FACET_VALUE,
                "ReviewGroup": GROUP,
                "SearchResponse": SEARCH,
                "Review": REVIEW,
                "Similar": SIMILAR,
                "Trend": TREND,
                "ExportRow": EXPORT_ROW,
                "Export": EXPORT,
                "Health": HEALTH,
                "Error": ERROR,
            }
        },
    }

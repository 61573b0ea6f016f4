"""The OpenAPI 3.1 description of the JSON API, kept beside the routes and tested against them.

OpenAPI 3.1 schemas are JSON Schema 2020-12, so the tests validate real responses with them.
"""

from __future__ import annotations

from search_service.search.facets import FACETS, HIT_TYPES
from search_service.search.hits import CSV_EXPORT_COLUMNS
from search_service.search.library import (
    LIST_MAX_PAGE,
    LIST_MAX_PER_PAGE,
    LIST_PER_PAGE,
    LIST_SORTS,
)
from search_service.search.request import FACET_SIZE, GROUPS, MAX_PER_PAGE, SORTS, YEAR_FIELDS
from search_service.web.schemas import (
    ERROR,
    EXPORT,
    EXPORT_ROW,
    FACET_VALUE,
    GROUP,
    HEALTH,
    HIT,
    LISTED_REVIEW,
    REVIEW,
    REVIEW_LIST,
    SEARCH,
    SIMILAR,
    STRING,
    STRINGS,
    TREND,
    ref,
)
from search_service.web.schemas_library import DHRD_LINK, LESSON, LESSONS, THEMES

# What /api/lessons filters by (search/lessons_view.py applies them as the search does).
LESSON_FILTERS = ("sector", "region", "theme", "csp", "year_from", "year_to", "year_field")


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


def _list_params() -> list[dict]:
    """The parameters of /api/reviews (and /reviews)."""
    year = {"type": "integer", "minimum": 1000, "maximum": 9999}
    repeat = {"style": "form", "explode": True}
    return [
        _param("region", "keep reviews of these regions (repeatable)", STRINGS, **repeat),
        _param("csp", "keep reviews of these CSPs (repeatable)", STRINGS, **repeat),
        _param("year_from", "earliest year (inclusive)", year),
        _param("year_to", "latest year (inclusive; not before year_from)", year),
        _param(
            "year_field",
            "which year the range reads: of death or of publication",
            {"enum": list(YEAR_FIELDS), "default": YEAR_FIELDS[0]},
        ),
        _param(
            "sort",
            "newest or oldest published (undated last), title, or CSP (then newest)",
            {"enum": list(LIST_SORTS), "default": LIST_SORTS[0]},
        ),
        _param(
            "page",
            "page of reviews (past the last: none listed)",
            {"type": "integer", "minimum": 1, "maximum": LIST_MAX_PAGE, "default": 1},
        ),
        _param(
            "per_page",
            "reviews per page",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": LIST_MAX_PER_PAGE,
                "default": LIST_PER_PAGE,
            },
        ),
    ]


def _ok(schema: str, description: str, media: str = "application/json") -> dict:
    return {"description": description, "content": {media: {"schema": ref(schema)}}}


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
        _param(
            "correct",
            "0: search exactly what was typed; otherwise a query that finds nothing is run "
            "again with a near spelling (corrected_query says so)",
            {"enum": ["0", "1"], "default": "1"},
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
                                "application/json": {"schema": ref("Export")},
                                "text/csv": {
                                    "schema": {
                                        **STRING,
                                        "description": "header row: "
                                        + ",".join(CSV_EXPORT_COLUMNS),
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
            "/api/lessons": {
                "get": {
                    "summary": "Lessons drawn in two reviews or more, most repeated first",
                    "parameters": [p for p in _search_params() if p["name"] in LESSON_FILTERS],
                    "responses": {"200": _ok("Lessons", "the lessons"), **_errors(400, 503)},
                }
            },
            "/api/lessons/{lesson_id}": {
                "get": {
                    "summary": "One recurring lesson with every recommendation in it",
                    "parameters": [
                        _param("lesson_id", "a lesson's id", STRING, where="path", required=True)
                    ],
                    "responses": {"200": _ok("Lesson", "the lesson"), **_errors(404, 503)},
                }
            },
            "/api/themes": {
                "get": {
                    "summary": "Every theme with its recommendations, reviews, sectors and years",
                    "responses": {"200": _ok("Themes", "the themes"), **_errors(503)},
                }
            },
            "/api/reviews": {
                "get": {
                    "summary": "Every review in the library, sorted, filtered and paged",
                    "parameters": _list_params(),
                    "responses": {
                        "200": _ok("ReviewList", "one page of reviews"),
                        **_errors(400, 503),
                    },
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
                "ListedReview": LISTED_REVIEW,
                "ReviewList": REVIEW_LIST,
                "Similar": SIMILAR,
                "Trend": TREND,
                "Themes": THEMES,
                "Lesson": LESSON,
                "Lessons": LESSONS,
                "DhrdLink": DHRD_LINK,
                "ExportRow": EXPORT_ROW,
                "Export": EXPORT,
                "Health": HEALTH,
                "Error": ERROR,
            }
        },
    }

"""JSON Schemas of the library's other answers: themes, recurring lessons, DHRD links."""

from __future__ import annotations

from search_service.search.request import YEAR_FIELDS
from search_service.web.schemas import INT_OR_NULL, PER_REVIEW_FACETS, STRING, STRINGS, obj, ref

DHRD_LINK = obj(
    {
        "status": {
            **STRING,
            "description": "linked, no match, ambiguous: N incidents, synthetic, outside "
            "coverage, no published date, no year of death, no CSP",
        },
        "explanation": {**STRING, "description": "how the review was linked, or why not"},
        "incident": {"type": ["string", "null"], "description": "the DHRD incident id"},
        "death": {"type": ["string", "null"]},
        "characteristics": {
            "type": "array",
            "items": obj({"name": {"enum": PER_REVIEW_FACETS}, "label": STRING, "values": STRINGS}),
        },
        "citation": STRING,
        "false_means": STRING,
    }
)

THEMES = obj(
    {
        "themes": {
            "type": "array",
            "items": obj(
                {
                    "id": STRING,
                    "label": STRING,
                    "recommendations": {"type": "integer", "minimum": 0},
                    "reviews": {"type": "integer", "minimum": 0},
                    "sectors": {
                        "type": "array",
                        "items": obj({"sector": STRING, "recommendations": {"type": "integer"}}),
                    },
                    "years": {
                        "type": "array",
                        "items": obj(
                            {"year": {"type": "integer"}, "recommendations": {"type": "integer"}}
                        ),
                    },
                    "search_url": STRING,
                    "trends_url": STRING,
                }
            ),
        },
        "rules_file": STRING,
    }
)

LESSON = obj(
    {
        "id": {**STRING, "description": "the group's smallest recommendation id (review:number)"},
        "reviews": {"type": "integer", "minimum": 2},
        "recommendations": {"type": "integer", "minimum": 2},
        "representative": {**STRING, "description": "the member wording closest to all"},
        "first_year": INT_OR_NULL,
        "years": {
            "type": "array",
            "items": obj({"year": {"type": "integer"}, "recommendations": {"type": "integer"}}),
        },
        "sectors": {
            "type": "array",
            "items": obj({"sector": STRING, "recommendations": {"type": "integer"}}),
        },
        "regions": {
            "type": "array",
            "items": obj({"region": STRING, "recommendations": {"type": "integer"}}),
        },
        "members": {
            "type": "array",
            "items": obj(
                {
                    "review_id": STRING,
                    "number": {"type": ["string", "null"]},
                    "title": STRING,
                    "csp": STRING,
                    "published_year": INT_OR_NULL,
                    "text": STRING,
                    "addressees": STRINGS,
                    "review_url": STRING,
                }
            ),
        },
        "url": STRING,
    }
)

LESSONS = obj(
    {
        "total": {"type": "integer", "minimum": 0},
        "lessons": {"type": "array", "items": ref("Lesson")},
        "filters": {"type": "object", "additionalProperties": STRINGS},
        "year_from": INT_OR_NULL,
        "year_to": INT_OR_NULL,
        "year_field": {"enum": list(YEAR_FIELDS)},
    }
)

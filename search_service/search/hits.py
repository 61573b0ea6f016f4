"""The JSON shapes of what a search finds: a hit, a review with its recommendations, an export row."""

from __future__ import annotations

import re

from search_service.analysis.themes import LABELS as THEME_LABELS
from search_service.corpus.dhrd_values import CHARACTERISTICS, CITATION, FALSE_MEANS
from search_service.links import absolute, report_url, review_url, similar_url
from search_service.model import format_month_year
from search_service.search.highlight import MarkTerms, snippet

EXPORT_COLUMNS = (
    "review_id",
    "title",
    "csp",
    "region",
    "published",
    "year_of_death",
    "type",
    "number",
    "page",
    "source",
    "text",
    "addressees",
    "sectors",
    "pdf_url",
    "review_url",
    "source_url",
    "synthetic",
    "themes",
    "dhrd_incident",
    *(c.name for c in CHARACTERISTICS),
)


# The CSV says on every row what search it holds and when, so it stays a plain table.
CSV_EXPORT_COLUMNS = (*EXPORT_COLUMNS, "query", "exported_on")


def hit_dict(stored: dict, highlighted: str | None = None) -> dict:
    """The JSON shape of one hit, from its stored fields."""
    kind = stored.get("type", "")
    text = stored.get("text", "")
    page = stored.get("page")
    rec = kind == "recommendation"
    hit = {
        "type": kind,
        "review_id": stored.get("review_id", ""),
        "title": stored.get("title", ""),
        "text": text,
        "highlight": highlighted if highlighted is not None else snippet(text, None, MarkTerms()),
        "addressees": list(stored.get("addressees") or []),
        "sectors": list(stored.get("sectors") or []),
        "csp": stored.get("csp", ""),
        "region": stored.get("region", ""),
        "published": published(stored),
        "year_of_death": stored.get("year_of_death"),
        "page": page,
        "pdf_url": report_url(stored, page),
        "review_url": review_url(
            stored.get("review_id", ""), stored.get("number") if rec else None
        ),
        "synthetic": bool(stored.get("synthetic")),
    }
    if kind == "passage":
        hit["kind"] = stored.get("kind") or "text"
    if rec:
        hit["number"] = stored.get("number")
        hit["similar_url"] = similar_url(stored.get("review_id", ""), stored.get("number"))
        hit["source"] = stored.get("source") or "page"
        hit["themes"] = list(stored.get("themes") or [])
    return hit


def published(stored: dict) -> str:
    """A document's review's publication month and year as shown ("April 2023")."""
    return format_month_year(stored.get("published_month"), stored.get("published_year"))


def shown_hit(stored: dict, analyzer, marks: MarkTerms, positions: dict | None = None) -> dict:
    """A hit with its snippet marked (at positions, the index's of each marked token, if
    given); recommendations are shown whole (users quote them)."""
    whole = stored.get("type") == "recommendation"
    text = stored.get("text", "")
    return hit_dict(stored, snippet(text, analyzer, marks, whole=whole, positions=positions))


def review_dict(review_id: str, docs: list[dict]) -> dict:
    """One review from its documents' stored fields: metadata, summary, recommendations in order."""
    summary = next((d for d in docs if d.get("type") == "summary"), docs[0])
    recs = [hit_dict(d) for d in docs if d.get("type") == "recommendation"]
    recs.sort(key=lambda h: _number_key(h.get("number") or ""))
    return {
        "id": review_id,
        "title": summary.get("title", ""),
        "csp": summary.get("csp", ""),
        "region": summary.get("region", ""),
        "published": published(summary),
        "year_of_death": summary.get("year_of_death"),
        "summary": summary.get("text", "") if summary.get("type") == "summary" else "",
        "source_url": summary.get("source_url", ""),
        "pdf_url": report_url(summary),
        "synthetic": bool(summary.get("synthetic")),
        "dhrd": dhrd_dict(summary.get("dhrd") or {}),
        "recommendations": recs,
        "pages": sum(1 for d in docs if d.get("type") == "passage"),
        "review_url": review_url(review_id),
    }


def dhrd_dict(stored: dict) -> dict:
    """A review's link to the DHRD as shown: how it was linked (or why not) and the case."""
    values = stored.get("values") or {}
    return {
        "status": stored.get("status", "not linked"),
        "explanation": stored.get("explanation", ""),
        "incident": stored.get("incident"),
        "death": stored.get("death"),
        "characteristics": [
            {"name": c.name, "label": c.label, "values": list(values[c.name])}
            for c in CHARACTERISTICS
            if values.get(c.name)
        ],
        "citation": CITATION,
        "false_means": FALSE_MEANS,
    }


def _number_key(number: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.findall(r"\d+|\D+", str(number)))


def group_dict(review_id: str, first: dict, matches: int, recommendations: int, hits: list) -> dict:
    """One review's entry in the grouped view, with its best hits."""
    return {
        "review_id": review_id,
        "title": first.get("title", ""),
        "csp": first.get("csp", ""),
        "region": first.get("region", ""),
        "published": published(first),
        "year_of_death": first.get("year_of_death"),
        "review_url": review_url(review_id),
        "pdf_url": report_url(first),
        "matches": matches,
        "recommendations": recommendations,
        "hits": hits,
    }


def export_row(stored: dict, base: str, case: dict | None = None) -> dict:
    """One exported hit as a flat row; base makes our own links absolute, for citing.

    case: the review's DHRD incident id and characteristics, when it is linked."""
    hit = hit_dict(stored, "")
    case = case or {}
    return {
        "review_id": hit["review_id"],
        "title": hit["title"],
        "csp": hit["csp"],
        "region": hit["region"],
        "published": hit["published"],
        "year_of_death": hit["year_of_death"],
        "type": hit["type"],
        "number": hit.get("number"),
        "page": hit["page"],
        "source": hit.get("source"),
        "text": hit["text"],
        "addressees": hit["addressees"],
        "sectors": hit["sectors"],
        "pdf_url": absolute(base, hit["pdf_url"]),
        "review_url": absolute(base, hit["review_url"]),
        "source_url": stored.get("source_url", ""),
        "synthetic": hit["synthetic"],
        "themes": [THEME_LABELS.get(t, t) for t in hit.get("themes", [])],
        "dhrd_incident": case.get("incident"),
        **{c.name: list(case.get(c.name, ())) for c in CHARACTERISTICS},
    }

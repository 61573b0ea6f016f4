"""Searches: match, filter, facet, rank and highlight; return the plain dict every view shares."""

from __future__ import annotations

import re
import time

from .facets import count_facets, facet_table, filter_test
from .highlight import MarkTerms, snippet, terms_to_mark
from .index import IndexHandle
from .model import format_month_year
from .query import QueryError, SearchRequest, parse_query
from .scoring import collect, top, use_pairs

MAX_PER_PAGE = 100

__all__ = ["QueryError", "SearchRequest", "run_search", "get_review", "health", "MAX_PER_PAGE"]


def review_url(review_id: str) -> str:
    """Our page for one review."""
    return f"/reviews/{review_id}"


def pdf_link(stored: dict, page: int | None = None) -> str:
    """Link to the report PDF, at the page when it is known; '' when there is no PDF."""
    if stored.get("pdf_url"):
        url = stored["pdf_url"]
    elif stored.get("pdf_path"):
        url = f"/reports/{stored['review_id']}.pdf"
    else:
        return ""
    return f"{url}#page={page}" if page else url


def hit_dict(stored: dict, highlighted: str | None = None) -> dict:
    """The JSON shape of one hit, from its stored fields."""
    kind = stored.get("type", "")
    text = stored.get("text", "")
    page = stored.get("page")
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
        "published": format_month_year(stored.get("published_month"), stored.get("published_year")),
        "year_of_death": stored.get("year_of_death"),
        "page": page,
        "pdf_url": pdf_link(stored, page),
        "review_url": review_url(stored.get("review_id", "")),
        "synthetic": bool(stored.get("synthetic")),
    }
    if kind == "recommendation":
        hit["number"] = stored.get("number")
        hit["review_url"] += f"#rec-{stored.get('number')}"
    return hit


def _sorted_docnums(table, kept: list[int], sort: str) -> list[int]:
    if sort == "relevance":
        return sorted(kept)
    # Newest or oldest by publication; undated reviews last either way, then index order.
    newest = sort == "newest"
    return sorted(
        kept,
        key=lambda d: (
            table.published[d] is None,
            -(table.published[d] or 0) if newest else (table.published[d] or 0),
            d,
        ),
    )


def run_search(handle: IndexHandle, req: SearchRequest) -> dict:
    """Run one search and return the result dict shared by the page, the API and the CLI."""
    started = time.perf_counter()
    searcher = handle.searcher()
    pq = parse_query(searcher.schema, req.q)
    parsed, notes = pq.query, pq.notes
    table = facet_table(handle.caches, searcher)
    scores: list[float] = []
    if parsed is None:
        matched = [d for d in table.live if table.has_text[d]]
    else:
        # One pass: every match with its BM25F score, for the count, the facets and the ranking.
        matched, scores = collect(searcher, use_pairs(parsed), handle.caches)
    # Without a type filter every kind of hit is shown; the type facet narrows.
    keep = filter_test(table, req)
    kept = matched if keep is None else [d for d in matched if keep(d)]
    facets = count_facets(table, matched, req)
    total = len(kept)
    per_page = max(1, min(req.per_page, MAX_PER_PAGE))
    page = max(1, req.page)
    start = (page - 1) * per_page
    hits: list[dict] = []
    if kept and start < total:
        if parsed is None or req.sort != "relevance":
            docnums = _sorted_docnums(table, kept, req.sort)[start : start + per_page]
        else:
            docnums = top(matched, scores, keep, start + per_page)[start:]
        # Stored fields and snippets only for the hits shown.
        stored_hits = [searcher.stored_fields(d) for d in docnums]
        marks = terms_to_mark(parsed, searcher.reader())
        analyzer = searcher.schema["text"].analyzer
        for stored in stored_hits:
            # Recommendations are shown whole: users quote them.
            whole = stored.get("type") == "recommendation"
            hits.append(
                hit_dict(stored, snippet(stored.get("text", ""), analyzer, marks, whole=whole))
            )
    return {
        "query": req.q,
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-total // per_page)),
        "hits": hits,
        "facets": facets,
        "suggestion": None,
        "notes": notes,
        "expansions": pq.expansions,
        "took_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def get_review(handle: IndexHandle, review_id: str) -> dict | None:
    """One review with its summary, recommendations (in order) and page count, or None."""
    searcher = handle.searcher()
    docs = list(searcher.documents(review_id=review_id))
    if not docs:
        return None
    summary = next((d for d in docs if d.get("type") == "summary"), docs[0])
    recs = [hit_dict(d) for d in docs if d.get("type") == "recommendation"]
    recs.sort(key=lambda h: _number_key(h.get("number") or ""))
    return {
        "id": review_id,
        "title": summary.get("title", ""),
        "csp": summary.get("csp", ""),
        "region": summary.get("region", ""),
        "published": format_month_year(
            summary.get("published_month"), summary.get("published_year")
        ),
        "year_of_death": summary.get("year_of_death"),
        "summary": summary.get("text", "") if summary.get("type") == "summary" else "",
        "source_url": summary.get("source_url", ""),
        "pdf_url": pdf_link(summary),
        "synthetic": bool(summary.get("synthetic")),
        "recommendations": recs,
        "pages": sum(1 for d in docs if d.get("type") == "passage"),
        "review_url": review_url(review_id),
    }


def _number_key(number: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.findall(r"\d+|\D+", str(number)))


def health(handle: IndexHandle) -> dict:
    """Index version, build time and document counts for /healthz."""
    meta = handle.meta
    keys = ("version", "built_at", "reviews", "recommendations", "summaries", "passages")
    synthetic = meta.get("synthetic_reviews", 0)
    return {"status": "ok", **{k: meta.get(k) for k in keys}, "synthetic_reviews": synthetic}

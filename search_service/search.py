"""Queries: parse what the user typed, filter, rank, facet and highlight; return plain dicts."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from whoosh import qparser
from whoosh import query as wq

from .highlight import MarkTerms, snippet, terms_to_mark
from .index import IndexHandle
from .model import format_month_year

DEFAULT_TYPES = ("recommendation", "summary", "passage")
FACETS = ("addressee", "csp", "type")
MAX_PER_PAGE = 100
MAX_QUERY_CHARS = 1000
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
    """Everything a search page or API call asks for."""

    q: str = ""
    addressee: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    page: int = 1
    per_page: int = 20


# --- query parsing -----------------------------------------------------------------------


def _parser(schema) -> qparser.QueryParser:
    parser = qparser.QueryParser("text", schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.PlusMinusPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    return parser


def normalise_query(q: str) -> tuple[str, list[str]]:
    """Straighten phone quotes and repair unbalanced quotes; return notes on what changed."""
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
    if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
        notes.append("The query has no searchable words, so nothing matched.")
    return parsed, notes


# --- facets ------------------------------------------------------------------------------


class FacetTable:
    """Per-index-version arrays of docnum -> type, CSP and addressees, for fast counting."""

    def __init__(self, searcher):
        reader = searcher.reader()
        size = reader.doc_count_all()
        self.type: list[str | None] = [None] * size
        self.csp: list[str] = [""] * size
        self.addressees: list[tuple[str, ...]] = [()] * size
        self.has_text = [False] * size
        for docnum, stored in reader.iter_docs():
            self.type[docnum] = stored.get("type")
            self.csp[docnum] = stored.get("csp", "")
            self.addressees[docnum] = tuple(stored.get("addressees") or ())
            self.has_text[docnum] = bool(stored.get("text"))
        self.live = [d for d in range(size) if self.type[d] is not None]


def facet_table(handle: IndexHandle, searcher) -> FacetTable:
    """The facet arrays of the live version, built once per version."""
    table = handle.caches.get("facets")
    if table is None:
        table = handle.caches["facets"] = FacetTable(searcher)
    return table


def _matches(table: FacetTable, d: int, req: SearchRequest, skip: str | None) -> bool:
    if skip != "type" and req.type and table.type[d] not in req.type:
        return False
    if skip != "csp" and req.csp and table.csp[d] not in req.csp:
        return False
    return not (
        skip != "addressee"
        and req.addressee
        and not any(a in req.addressee for a in table.addressees[d])
    )


def _count_facets(
    table: FacetTable, matched: list[int], req: SearchRequest
) -> dict[str, list[dict]]:
    # Disjunctive facets: a facet's counts ignore its own selection, so ticking a second
    # value shows what it would add. Agency and CSP counts count recommendations.
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for d in matched:
        kind = table.type[d]
        if kind == "recommendation":
            if _matches(table, d, req, "addressee"):
                bucket = counts["addressee"]
                for a in table.addressees[d]:
                    bucket[a] = bucket.get(a, 0) + 1
            if _matches(table, d, req, "csp"):
                csp = table.csp[d]
                if csp:
                    counts["csp"][csp] = counts["csp"].get(csp, 0) + 1
        if _matches(table, d, req, "type"):
            counts["type"][kind] = counts["type"].get(kind, 0) + 1
    facets: dict[str, list[dict]] = {}
    for name in FACETS:
        selected = set(getattr(req, name))
        items = sorted(counts[name].items(), key=lambda kv: (-kv[1], kv[0].lower()))
        values = [{"value": v, "count": c, "selected": v in selected} for v, c in items]
        # A selected value stays visible (with 0) so it can always be undone.
        values += [
            {"value": v, "count": 0, "selected": True} for v in selected - counts[name].keys()
        ]
        facets[name] = values
    return facets


# --- results -----------------------------------------------------------------------------


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


def run_search(handle: IndexHandle, req: SearchRequest) -> dict:
    """Run one search and return the result dict shared by the page, the API and the CLI."""
    started = time.perf_counter()
    searcher = handle.searcher()
    parsed, notes = parse_query(searcher.schema, req.q)
    table = facet_table(handle, searcher)
    if parsed is None:
        matched = [d for d in table.live if table.has_text[d]]
    else:
        matched = sorted(searcher.docs_for_query(parsed))
    wanted_types = set(req.type) or set(DEFAULT_TYPES)
    kept = {d for d in matched if table.type[d] in wanted_types and _matches(table, d, req, None)}
    facets = _count_facets(table, matched, req)
    total = len(kept)
    per_page = max(1, min(req.per_page, MAX_PER_PAGE))
    page = max(1, req.page)
    start = (page - 1) * per_page
    hits: list[dict] = []
    if kept and start < total:
        if parsed is None:
            for d in sorted(kept)[start : start + per_page]:
                hits.append(hit_dict(searcher.stored_fields(d)))
        else:
            results = searcher.search(parsed, filter=kept, limit=start + per_page)
            marks = terms_to_mark(parsed, searcher.reader())
            analyzer = searcher.schema["text"].analyzer
            for hit in results[start : start + per_page]:
                stored = hit.fields()
                # Recommendations are shown whole: users quote them.
                whole = stored.get("type") == "recommendation"
                highlighted = snippet(stored.get("text", ""), analyzer, marks, whole=whole)
                hits.append(hit_dict(stored, highlighted))
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
    return {"status": "ok", **{k: meta.get(k) for k in keys}, "demo": bool(meta.get("demo"))}

"""Searches: match, filter, facet, rank and highlight; return the plain dict every view shares."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

from whoosh import query as wq

from .facets import count_facets, facet_table, filter_test, full_counts
from .highlight import MarkTerms, snippet, terms_to_mark, warm_words
from .index import IndexHandle
from .limits import MAX_EXPANSIONS, PARTIAL_NOTE, Deadline, cap_expansions
from .model import format_month_year
from .postings import Unsupported, collect_fast, prewarm
from .query import DEFAULT_FIELDS, QueryError, SearchRequest, parse_query
from .scoring import collect, field_lengths, top, use_pairs
from .suggest import SPELL_FIELD, neighbours, suggest
from .trends import count_reviews_per_year
from .vocabulary import groups as vocabulary_groups

MAX_PER_PAGE = 100
# Analysed forms of the words reviews use for the people in a case (see similar_recommendations).
CASE_WORDS = frozenset(
    {"adult", "victim", "perpetr", "child", "famili", "mr", "ms", "mrs", "subject"}
)
# Fewer hits than this and we look for a better spelling of the query.
FEW_RESULTS = 3

__all__ = [
    "QueryError",
    "SearchRequest",
    "run_search",
    "get_review",
    "health",
    "group_by_review",
    "export",
    "reviews_per_year",
    "similar_recommendations",
    "EXPORT_COLUMNS",
    "MAX_PER_PAGE",
]


def review_url(review_id: str) -> str:
    """Our page for one review."""
    return f"/reviews/{review_id}"


def pdf_link(stored: dict, page: int | None = None) -> str:
    """Link to the report PDF, at the page when it is known; '' when there is no PDF."""
    # A published (remote) copy is what users cite; our local copy is served otherwise.
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


@dataclass
class _Found:
    """Matched docnums (in no set order) with their scores, and which of them pass the filters."""

    matched: list[int]
    scores: list[float]
    keep: object  # a docnum -> bool test, or None when no filter applies
    kept: list[int]


def _find(
    searcher, table, parsed, req: SearchRequest, caches: dict, deadline: Deadline | None = None
) -> _Found:
    if parsed is None:
        matched, scores = [d for d in table.live if table.has_text[d]], []
    else:
        # One pass: every match with its BM25F score, for the count, the facets and the ranking.
        q = use_pairs(parsed)
        try:
            matched, scores = collect_fast(searcher, q, caches, deadline)
        except Unsupported:
            matched, scores = collect(searcher, q, caches, deadline)
    # Without a type filter every kind of hit is shown; the type facet narrows.
    keep = filter_test(table, req)
    kept = matched if keep is None else [d for d in matched if keep(d)]
    return _Found(matched, scores, keep, kept)


def _page_of_hits(
    handle: IndexHandle,
    searcher,
    table,
    parsed,
    found: _Found,
    req: SearchRequest,
    start: int,
    per_page: int,
) -> list[dict]:
    if parsed is None or req.sort != "relevance":
        docnums = _sorted_docnums(table, found.kept, req.sort)[start : start + per_page]
    else:
        docnums = top(found.matched, found.scores, found.keep, start + per_page)[start:]
    # Stored fields and snippets only for the hits shown.
    marks = terms_to_mark(parsed, searcher.reader())
    analyzer = searcher.schema["text"].analyzer
    hits = []
    for d in docnums:
        stored = handle.stored_fields(d)
        # Recommendations are shown whole: users quote them.
        whole = stored.get("type") == "recommendation"
        hits.append(hit_dict(stored, snippet(stored.get("text", ""), analyzer, marks, whole=whole)))
    return hits


def _parse(searcher, q: str, max_expansions: int, caches: dict | None = None):
    memo = caches.setdefault("plain_words", {}) if caches is not None else None
    pq = parse_query(searcher.schema, q, memo=memo)
    pq.query, capped = cap_expansions(pq.query, searcher.reader(), max_expansions)
    pq.notes += capped
    return pq


def run_search(
    handle: IndexHandle,
    req: SearchRequest,
    time_limit: float | None = None,
    max_expansions: int = MAX_EXPANSIONS,
) -> dict:
    """Run one search and return the result dict shared by the page, the API and the CLI.

    After time_limit seconds matching stops and the result says "partial".
    """
    started = time.perf_counter()
    deadline = Deadline(time_limit)
    searcher = handle.searcher()
    pq = _parse(searcher, req.q, max_expansions, handle.caches)
    table = facet_table(handle.caches, searcher)
    found = _find(searcher, table, pq.query, req, handle.caches, deadline)
    suggestion = None
    corrected = None
    if pq.query is not None and len(found.kept) < FEW_RESULTS and not deadline.hit:
        better = suggest(
            searcher.reader(), searcher.schema, pq.text, few_results=True, caches=handle.caches
        )
        if better:
            suggestion = better.text
            if not found.kept and better.one_edit:
                # Nothing for the exact words: show what the near words find, and say so.
                retry = _parse(searcher, better.text, max_expansions, handle.caches)
                again = _find(searcher, table, retry.query, req, handle.caches, deadline)
                if again.kept:
                    pq, found, corrected = retry, again, better.text
                    pq.notes.append(
                        f"No results for “{req.q}”. Showing results for “{better.text}”."
                    )
    facets = count_facets(table, found.matched, req)
    total = len(found.kept)
    per_page = max(1, min(req.per_page, MAX_PER_PAGE))
    page = max(1, req.page)
    start = (page - 1) * per_page
    hits = []
    if found.kept and start < total:
        hits = _page_of_hits(handle, searcher, table, pq.query, found, req, start, per_page)
    return {
        "query": req.q,
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-total // per_page)),
        "hits": hits,
        "facets": facets.values,
        "suggestion": suggestion,
        "corrected_query": corrected,
        "notes": pq.notes + ([PARTIAL_NOTE] if deadline.hit else []),
        "expansions": pq.expansions,
        "partial": deadline.hit,
        "facet_distinct": facets.distinct,
        "facet_size": req.facet_size,
        "took_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def warm_caches(searcher, caches: dict, previous: dict | None = None) -> None:
    """Fill a new version's caches before searches need them: facet arrays (from the previous
    version's where segments are shared), the BM25F field lengths of the searched fields, the
    decoded postings of their words, "did you mean"'s neighbours and snippets' word analyses."""
    old_table = (previous or {}).get("facets")
    # Counts over the whole version too: searches matching most documents subtract from them.
    full_counts(facet_table(caches, searcher, old_table))
    for key, value in list((previous or {}).items()):
        if isinstance(key, tuple) and key[0] == "lengths":
            caches.setdefault(key, value)  # keyed by segment id: same segment, same lengths
    for sub, _offset in searcher.leaf_searchers():
        for name in DEFAULT_FIELDS:
            if name in searcher.schema.names() and searcher.schema[name].scorable:
                field_lengths(caches, sub.reader(), name)
    # Then the longest postings lists of the searched fields, up to half the postings cache,
    # and the vocabulary's names (a typed acronym searches them as phrases).
    prewarm(searcher, caches, DEFAULT_FIELDS)
    warm_vocabulary(searcher, caches)
    near = neighbours(searcher.reader(), caches)  # for "did you mean"
    # Snippets analyse each word as written once; the spelling lexicon's words (the keys of
    # "did you mean"'s frequencies), lower-case and capitalised, cover most of what hits show.
    if SPELL_FIELD in searcher.schema.names():
        words = [*near.df, *(w.capitalize() for w in near.df)]
        warm_words(searcher.schema["text"].analyzer, words)


def warm_vocabulary(searcher, caches: dict) -> int:
    """Match every name of the vocabulary as a phrase, so its results are cached before an
    acronym's first search needs them (phrases of four words or more read positions).
    Returns how many phrases were matched."""
    done = 0
    for group in vocabulary_groups():
        for name in group:
            if " " not in name:
                continue  # single words: prewarm() has the frequent ones
            try:
                parsed = parse_query(searcher.schema, f'"{name}"', vocabulary=False).query
            except QueryError:
                continue
            if parsed is None:
                continue
            try:
                collect_fast(searcher, use_pairs(parsed), caches)
            except Unsupported:
                continue
            done += 1
    return done


def get_review(handle: IndexHandle, review_id: str) -> dict | None:
    """One review with its summary, recommendations (in order) and page count, or None."""
    searcher = handle.searcher()
    docs = [handle.stored_fields(d) for d in searcher.document_numbers(review_id=review_id)]
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
    """Index version, build time, document counts and warm-up state for /healthz."""
    meta = handle.meta
    keys = ("version", "built_at", "reviews", "recommendations", "summaries", "passages")
    synthetic = meta.get("synthetic_reviews", 0)
    return {
        "status": "ok",
        **{k: meta.get(k) for k in keys},
        "synthetic_reviews": synthetic,
        "warm": handle.warm,
    }


def addressee_counts(handle: IndexHandle) -> dict[str, int]:
    """How many recommendations each addressee has, over the whole index."""
    searcher = handle.searcher()
    table = facet_table(handle.caches, searcher)
    counts: dict[str, int] = {}
    for d in table.live:
        if table.type[d] == "recommendation":
            for name in table.values["addressee"][d]:
                counts[name] = counts.get(name, 0) + 1
    return counts


def report_path(handle: IndexHandle, review_id: str) -> str | None:
    """The local PDF the index holds for a review id, or None (ids only, never paths)."""
    docnum = handle.searcher().document_number(doc_id=f"{review_id}#summary")
    stored = handle.stored_fields(docnum) if docnum is not None else {}
    return stored.get("pdf_path") or None


# --- views over the same matches: grouped, streamed for export, similar texts ----------------
# These are additive to run_search: they share its matching and filtering, not its paging.


@dataclass
class _Matches:
    """A request's matched and kept documents, with the searcher and arrays that found them."""

    handle: IndexHandle
    searcher: object
    table: object
    parsed: object
    notes: list[str]
    matched: list[int]
    kept: set[int]


def _match_request(handle: IndexHandle, req: SearchRequest) -> _Matches:
    searcher = handle.searcher()
    pq = parse_query(searcher.schema, req.q)
    table = facet_table(handle.caches, searcher)
    found = _find(searcher, table, pq.query, req, handle.caches)
    matched, kept = found.matched, set(found.kept)
    return _Matches(handle, searcher, table, pq.query, pq.notes, matched, kept)


def _ranked(m: _Matches, sort: str) -> list[int]:
    """Every kept docnum in the order the results page shows them (ints only, no stored fields)."""
    if not m.kept:
        return []
    if m.parsed is None or sort != "relevance":
        return _sorted_docnums(m.table, m.kept, sort)
    return [hit.docnum for hit in m.searcher.search(m.parsed, filter=m.kept, limit=None)]


def _render_hits(m: _Matches, docnums: list[int]) -> list[dict]:
    marks = terms_to_mark(m.parsed, m.searcher.reader())
    analyzer = m.searcher.schema["text"].analyzer
    hits = []
    for d in docnums:
        stored = m.handle.stored_fields(d)
        whole = stored.get("type") == "recommendation"
        hits.append(hit_dict(stored, snippet(stored.get("text", ""), analyzer, marks, whole=whole)))
    return hits


def group_by_review(handle: IndexHandle, req: SearchRequest, per_review: int = 3) -> dict:
    """Results as one entry per review, best review first, with its best matches beneath it."""
    started = time.perf_counter()
    m = _match_request(handle, req)
    facets = count_facets(m.table, m.matched, req)
    by_review: dict[str, list[int]] = {}
    for d in _ranked(m, req.sort):
        by_review.setdefault(m.table.review_id[d], []).append(d)
    reviews = list(by_review.items())
    per_page = max(1, min(req.per_page, MAX_PER_PAGE))
    page = max(1, req.page)
    start = (page - 1) * per_page
    groups = []
    for review_id, docs in reviews[start : start + per_page]:
        # Recommendations first (they are what users cite), each kind in rank order.
        best = sorted(docs, key=lambda d: m.table.type[d] != "recommendation")[:per_review]
        hits = _render_hits(m, best)
        first = m.handle.stored_fields(docs[0])
        groups.append(
            {
                "review_id": review_id,
                "title": first.get("title", ""),
                "csp": first.get("csp", ""),
                "region": first.get("region", ""),
                "published": format_month_year(
                    first.get("published_month"), first.get("published_year")
                ),
                "year_of_death": first.get("year_of_death"),
                "review_url": review_url(review_id),
                "pdf_url": pdf_link(first),
                "matches": len(docs),
                "recommendations": sum(1 for d in docs if m.table.type[d] == "recommendation"),
                "hits": hits,
            }
        )
    return {
        "query": req.q,
        "group": "review",
        "total": len(reviews),
        "total_hits": len(m.kept),
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-len(reviews) // per_page)),
        "groups": groups,
        "facets": facets.values,
        "suggestion": None,
        "notes": m.notes,
        "facet_distinct": facets.distinct,
        "facet_size": req.facet_size,
        "took_ms": round((time.perf_counter() - started) * 1000, 1),
    }


EXPORT_COLUMNS = (
    "review_id",
    "csp",
    "region",
    "published",
    "year_of_death",
    "type",
    "number",
    "page",
    "text",
    "addressees",
    "sectors",
    "pdf_url",
    "review_url",
)


@dataclass
class Export:
    """An export's row count, known before streaming, and its rows as a lazy generator."""

    total: int
    rows: Iterator[dict]


def export(handle: IndexHandle, req: SearchRequest, base_url: str = "", chunk: int = 500) -> Export:
    """Every hit of a request, in page order, as flat rows read from the index a chunk at a time.

    The query runs now (so a bad one fails before any byte is sent); only the ranked
    docnums (ints) are held while the rows stream, so memory stays flat however many
    rows there are. base_url makes our own links absolute, for citing.
    """
    m = _match_request(handle, req)
    docnums = _ranked(m, req.sort)
    return Export(len(docnums), _export_rows(handle, docnums, base_url.rstrip("/"), chunk))


def _export_rows(handle: IndexHandle, docnums: list[int], base: str, chunk: int) -> Iterator[dict]:
    for i in range(0, len(docnums), chunk):
        for d in docnums[i : i + chunk]:
            hit = hit_dict(handle.stored_fields(d), "")
            pdf = hit["pdf_url"]
            yield {
                "review_id": hit["review_id"],
                "csp": hit["csp"],
                "region": hit["region"],
                "published": hit["published"],
                "year_of_death": hit["year_of_death"],
                "type": hit["type"],
                "number": hit.get("number"),
                "page": hit["page"],
                "text": hit["text"],
                "addressees": hit["addressees"],
                "sectors": hit["sectors"],
                "pdf_url": base + pdf if pdf.startswith("/") else pdf,
                "review_url": base + hit["review_url"],
            }


def reviews_per_year(handle: IndexHandle, req: SearchRequest) -> dict:
    """How many distinct reviews match a request in each year (of death or of publication)."""
    started = time.perf_counter()
    m = _match_request(handle, req)
    data = count_reviews_per_year(m.table, m.kept, req.year_field)
    return {
        "query": req.q,
        **data,
        "notes": m.notes,
        "took_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def similar_recommendations(
    handle: IndexHandle, review_id: str, number: str | None = None, limit: int = 5
) -> list[dict]:
    """Recommendations in other reviews that read like this review's (or one of them).

    More-like-this over recommendation text: the most distinctive words of the source
    recommendations, weighted, searched in every other review's recommendations.
    """
    searcher = handle.searcher()
    if number is None:
        docnums = list(searcher.document_numbers(review_id=review_id, type="recommendation"))
    else:
        docnum = searcher.document_number(doc_id=f"{review_id}#rec-{number}")
        docnums = [] if docnum is None else [docnum]
    if not docnums:
        return []
    # Reviews name people by pseudonym ("Adult A", "the victim"): such words say nothing
    # about the lesson drawn, so they are not what makes two recommendations alike.
    terms = [
        (word, weight)
        for word, weight in searcher.key_terms(docnums, "text", numterms=24)
        if word not in CASE_WORDS and len(word) > 1
    ][:12]
    if not terms:
        return []
    similar = wq.Or([wq.Term("text", word, boost=weight) for word, weight in terms])
    results = searcher.search(
        similar,
        limit=limit * 4,
        filter=wq.Term("type", "recommendation"),
        mask=wq.Term("review_id", review_id),
    )
    marks = MarkTerms(words={word for word, _ in terms})
    analyzer = searcher.schema["text"].analyzer
    hits: list[dict] = []
    per_review: dict[str, int] = {}
    for hit in results:
        stored = handle.stored_fields(hit.docnum)
        # At most two from any one review, so a single look-alike review cannot fill the list.
        seen = per_review.get(stored.get("review_id", ""), 0)
        if seen >= 2:
            continue
        per_review[stored.get("review_id", "")] = seen + 1
        hits.append(hit_dict(stored, snippet(stored.get("text", ""), analyzer, marks, whole=True)))
        if len(hits) == limit:
            break
    return hits

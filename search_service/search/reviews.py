"""One review, what reads like it, and what the index holds as a whole."""

from __future__ import annotations

from functools import lru_cache
from itertools import islice

from whoosh import query as wq

from search_service.analysis.filters import text_analyzer
from search_service.index.reader import IndexHandle
from search_service.search.execute import match
from search_service.search.facets import facet_table
from search_service.search.highlight import MarkTerms
from search_service.search.hits import review_dict, shown_hit
from search_service.search.lessons_view import attach_notes
from search_service.search.limits import Deadline, Limits
from search_service.search.ranking import top

# Recommendations of one review that "similar to the whole review" reads (see below).
MAX_SOURCE_RECOMMENDATIONS = 200
# Analysed forms of the words reviews use for the people in a case (see similar_recommendations).
CASE_WORDS = frozenset(
    {"adult", "victim", "perpetr", "child", "famili", "mr", "ms", "mrs", "subject"}
)
# Words every review's recommendations use, whatever they ask: they would make every review
# look like every other (analysed forms, stemmed as the index stems them).
BOILERPLATE_WORDS = (
    "should ensure review recommendation recommend partnership community safety council "
    "agency agencies domestic homicide abuse violence board consider action plan develop "
    "assurance assure provide local area borough city county service services"
)


@lru_cache(maxsize=1)
def _boilerplate() -> frozenset[str]:
    # The index's own analyzer: the words as its documents hold them.
    return frozenset(t.text for t in text_analyzer()(BOILERPLATE_WORDS))


def get_review(handle: IndexHandle, review_id: str) -> dict | None:
    """One review with its summary, recommendations (in order) and page count, or None."""
    searcher = handle.searcher()
    docnums = list(searcher.document_numbers(review_id=review_id))
    docs = [handle.stored_fields(d) for d in docnums]
    if not docs:
        return None
    review = review_dict(review_id, docs)
    # "Also recommended in N other reviews": each recommendation's lesson group.
    by_number = {
        doc.get("number"): d
        for d, doc in zip(docnums, docs, strict=True)
        if doc.get("type") == "recommendation"
    }
    recs = review["recommendations"]
    attach_notes(handle, recs, [by_number[r["number"]] for r in recs], wait=True)
    return review


def report_path(handle: IndexHandle, review_id: str) -> str | None:
    """The local PDF the index holds for a review id, or None (ids only, never paths)."""
    docnum = handle.searcher().document_number(doc_id=f"{review_id}#summary")
    stored = handle.stored_fields(docnum) if docnum is not None else {}
    return stored.get("pdf_path") or None


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
    table = facet_table(handle.state, handle.searcher())
    counts: dict[str, int] = {}
    for d in table.live:
        if table.type[d] == "recommendation":
            for name in table.values["addressee"][d]:
                counts[name] = counts.get(name, 0) + 1
    return counts


def similar_recommendations(
    handle: IndexHandle,
    review_id: str,
    number: str | None = None,
    limit: int = 5,
    deadline: Deadline | None = None,
) -> list[dict]:
    """Recommendations in other reviews that read like this review's (or one of them).

    More-like-this over recommendation text: the most distinctive words of the source
    recommendations, weighted, matched like any query in every other review's
    recommendations. Matching stops at deadline (a Deadline, whose hit says so afterwards).
    """
    searcher = handle.searcher()
    if number is None:
        # The review's first recommendations speak for it: key_terms re-analyses each text,
        # and a broken review of thousands took seconds (corpus limits cap them at 500).
        found = searcher.document_numbers(review_id=review_id, type="recommendation")
        docnums = list(islice(found, MAX_SOURCE_RECOMMENDATIONS))
    else:
        docnum = searcher.document_number(doc_id=f"{review_id}#rec-{number}")
        docnums = [] if docnum is None else [docnum]
    if not docnums:
        return []
    # Reviews name people by pseudonym ("Adult A", "the victim"): such words say nothing
    # about the lesson drawn, so they are not what makes two recommendations alike.
    # Nor do the CSP's own name ("Bolton") and the words of every recommendation ("should",
    # "Partnership"): the lesson is in the rest.
    analyzer = searcher.schema["text"].analyzer
    csp = handle.stored_fields(docnums[0]).get("csp", "")
    ignored = CASE_WORDS | _boilerplate() | {t.text for t in analyzer(csp)}
    terms = [
        (word, weight)
        for word, weight in searcher.key_terms(docnums, "text", numterms=32)
        if word not in ignored and len(word) > 1
    ][:12]
    if not terms:
        return []
    similar = wq.Or([wq.Term("text", word, boost=weight) for word, weight in terms])
    state = handle.state
    table = facet_table(state, searcher)  # may wait for the warm-up: outside the limit
    deadline = deadline or Deadline(Limits().time_limit)
    deadline.start()
    matched, scores = match(searcher, state, similar, deadline)

    def other_recommendation(d: int) -> bool:
        return table.type[d] == "recommendation" and table.review_id[d] != review_id

    marks = MarkTerms(words={word for word, _ in terms})
    hits: list[dict] = []
    per_review: dict[str, int] = {}
    for d in top(matched, scores, other_recommendation, limit * 4):
        stored = handle.stored_fields(d)
        # At most two from any one review, so a single look-alike review cannot fill the list.
        seen = per_review.get(stored.get("review_id", ""), 0)
        if seen >= 2:
            continue
        per_review[stored.get("review_id", "")] = seen + 1
        hits.append(shown_hit(stored, analyzer, marks))
        if len(hits) == limit:
            break
    return hits


def review_summaries(handle: IndexHandle) -> list[dict]:
    """The stored fields of every review's summary document (its metadata and DHRD link)."""
    table = facet_table(handle.state, handle.searcher())
    return [handle.stored_fields(d) for d in table.live if table.type[d] == "summary"]

"""The reference the one matching path is checked against: Whoosh's own matcher tree, walked.

search/execute.py must find exactly the documents Whoosh's matchers find, with the same
scores to the last bit, under Whoosh's stock BM25F (no cached lengths, no shortcuts).
"""

from __future__ import annotations

from whoosh import query as wq
from whoosh import scoring


def whoosh_matches(searcher, q) -> tuple[list[int], list[float]]:
    """Every document matching q, ascending, with Whoosh's BM25F score: its matchers, walked.

    Except `a ANDNOT b` (what "a -b" parses to), taken by its definition, a's matches less
    b's with a's scores: Whoosh's AndNotMatcher keeps a's first document when b's first
    match comes before it, even if b matches that document too (it only skips b ahead when
    their first ids are equal).
    """
    if type(q) is wq.AndNot:
        a = dict(zip(*whoosh_matches(searcher, q.a), strict=True))
        excluded = set(whoosh_matches(searcher, q.b)[0])
        kept = [d for d in sorted(a) if d not in excluded]
        return kept, [a[d] for d in kept]
    context = searcher.context(weighting=scoring.BM25F(), needs_current=True)
    ids: list[int] = []
    scores: list[float] = []
    for sub, offset in searcher.leaf_searchers():
        m = q.matcher(sub, context)
        if not m.is_active():
            continue
        m = m.replace(0)
        while m.is_active():
            ids.append(offset + m.id())
            scores.append(m.score())
            m.next()
    return ids, scores

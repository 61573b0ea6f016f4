"""BM25F, once: Whoosh's formula with field lengths read once per index version, and the top N.

Every view ranks with this weighting through search/execute.py. Scores are Whoosh's BM25F to
the last bit: the same expression on the same operands (tests/test_execute.py checks them
against Whoosh's own matchers).
"""

from __future__ import annotations

import heapq
from itertools import compress
from operator import neg

from whoosh import scoring

from search_service.index.state import VersionState
from search_service.index.whoosh_internals import field_b


def field_lengths(state: VersionState, reader, fieldname: str) -> list[int]:
    """docnum -> length of fieldname in one segment, as BM25F reads it (kept per version)."""
    seg = reader.segment()
    key = (seg.segment_id() if seg is not None else id(reader), fieldname)
    lengths = state.lengths.get(key)
    if lengths is None:
        dfl = reader.doc_field_length
        lengths = state.lengths[key] = [dfl(d, fieldname, 1) for d in range(reader.doc_count_all())]
    return lengths


class FastBM25F(scoring.BM25F):
    """Whoosh's BM25F with field lengths looked up in per-version lists."""

    def __init__(self, state: VersionState, B: float = 0.75, K1: float = 1.2):
        super().__init__(B=B, K1=K1)
        self.state = state

    def scorer(self, searcher, fieldname, text, qf=1):
        """A term's scorer: ListLengthScorer for scored fields, a plain weight otherwise."""
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        lengths = field_lengths(self.state, searcher.reader(), fieldname)
        B = field_b(self, fieldname)
        return ListLengthScorer(searcher, fieldname, text, B, self.K1, lengths, qf=qf)


class ListLengthScorer(scoring.BM25FScorer):
    """Whoosh's BM25F scorer reading field lengths from a list."""

    def __init__(self, searcher, fieldname, text, B, K1, lengths, qf=1):
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        self.lengths = lengths

    def scores(self, ids, tfs) -> dict:
        """docnum -> BM25F score for a term's postings (ids and their term frequencies).

        The one place the formula is written: whoosh.scoring.bm25's expression on the same
        operands, so the floats are Whoosh's; over a whole postings list at once, in C.
        """
        idf, K1, B, avgfl, fl = self.idf, self.K1, self.B, self.avgfl, self.lengths
        return {
            d: idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl[d] / avgfl)))
            for d, tf in zip(ids, tfs, strict=True)
        }

    def score(self, matcher):
        """One posting's score, for Whoosh's own matchers (phrases with slop, for example)."""
        d = matcher.id()
        return self.scores((d,), (matcher.weight(),))[d]


def top(ids, scores, keep, n: int) -> list[int]:
    """The n best of ids (passing keep, a docnum test or None): highest score, then lowest docnum."""
    # Whoosh's TopCollector order: score descending, ties by docnum ascending, i.e. the
    # largest (score, -docnum) pairs; tuples compare in C, no key function per document.
    if keep is None and len(scores) > 4 * n > 0:
        # A floor for the n-th best score: the n-th best of a sample of every k-th score
        # (n scores at least reach it). Only documents scoring at least that can be in the
        # top n, so only they become (score, -docnum) pairs; the sample keeps nlargest's
        # Python loop to a few thousand scores instead of every match.
        step = max(1, len(scores) // (64 * n))
        least = heapq.nlargest(n, scores[::step])[-1]
        best = compress(zip(scores, ids, strict=True), map(least.__le__, scores))
        return [-d for s, d in heapq.nlargest(n, ((s, -d) for s, d in best))]
    pairs = zip(scores, map(neg, ids), strict=True)
    if keep is not None:
        pairs = ((s, d) for s, d in pairs if keep(-d))
    return [-d for s, d in heapq.nlargest(n, pairs)]


def ranked(ids, scores, keep) -> list[int]:
    """Every id passing keep (a docnum test or None), best first, in top()'s order."""
    return top(ids, scores, keep, len(ids))

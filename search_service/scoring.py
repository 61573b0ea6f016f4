"""One pass over the postings: every matching docnum with its BM25F score.

Whoosh's own path ran a query twice per search (``docs_for_query`` for the count and the
facets, ``search`` for the ranking) and read each document's field length through four
method calls and a struct unpack. Here a query runs once, and field lengths are read once
per index version into plain lists. Scores are Whoosh's BM25F to the last bit: same
formula, same operands, same matcher tree.
"""

from __future__ import annotations

import heapq
from itertools import compress
from operator import neg

from whoosh import fields, formats, scoring
from whoosh.analysis import Analyzer, Token
from whoosh.matching import NullMatcher, WrappingMatcher
from whoosh.matching.binary import IntersectionMatcher
from whoosh.query import And, Phrase, SpanNear2, Term
from whoosh.util import make_binary_tree

from .analysis import text_analyzer
from .limits import CLOCK_EVERY

# Companion fields holding every run of two and of three words at adjacent positions of each
# searched field (schema.py): a phrase of two or three words is one lookup, no positions read,
# and a longer one reads its words' positions only in the documents holding all its triples.
SHINGLE_FIELDS = {
    "text": "text_shingles",
    "title": "title_shingles",
    "addressee_text": "addressee_shingles",
    "csp_text": "csp_shingles",
}
SHINGLE_SEP = " "


def shingle(words) -> str:
    """The shingle term for analysed words in a row: "domest abus"."""
    return SHINGLE_SEP.join(words)


class ShingleAnalyzer(Analyzer):
    """Runs of two and three of the text analyzer's words at adjacent positions.

    Compounds put several words at one position; every combination is a shingle, so a
    phrase of two or three words matches a document exactly when the document holds its
    shingle.
    """

    def __init__(self):
        self.inner = text_analyzer()
        # Titles, CSPs and agency names repeat on every document of a review: their shingles
        # are worked out once (a bounded memo, not pickled with the schema).
        self._memo: dict[tuple[str, str], list[str]] = {}

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self.__init__()

    def __eq__(self, other):
        return isinstance(other, ShingleAnalyzer)

    def shingles(self, value: str, mode: str = "") -> list[str]:
        """Every shingle of value, in order."""
        key = (value, mode)
        found = self._memo.get(key)
        if found is not None:
            return found
        at: dict[int, set[str]] = {}
        for t in self.inner(value, positions=True, mode=mode):
            if not t.stopped:
                at.setdefault(t.pos, set()).add(t.text)
        found = []
        for pos, words in at.items():
            second = at.get(pos + 1)
            if not second:
                continue
            third = at.get(pos + 2, ())
            for a in sorted(words):
                for b in sorted(second):
                    found.append(a + SHINGLE_SEP + b)
                    found.extend(a + SHINGLE_SEP + b + SHINGLE_SEP + c for c in sorted(third))
        if len(value) <= 300:  # short, repeated values only; report text is read once
            if len(self._memo) >= 20000:
                self._memo.clear()
            self._memo[key] = found
        return found

    def __call__(self, value, mode="", **kwargs):
        tok = Token(removestops=False, mode=mode)
        tok.boost = 1.0
        tok.stopped = False
        for text in self.shingles(value, mode):
            tok.text = text
            yield tok


def shingles_field() -> fields.FieldType:
    """A field of word shingles beside a searched one: matched, never scored, stored or shown.

    Documents only, no positions: reading a term's postings then unpickles no positions.
    """
    return fields.FieldType(formats.Existence(), ShingleAnalyzer(), scorable=False, stored=False)


def field_lengths(caches: dict, reader, fieldname: str) -> list[int]:
    """docnum -> length of fieldname in one segment, as BM25F reads it (kept per version)."""
    seg = reader.segment()
    key = ("lengths", seg.segment_id() if seg is not None else id(reader), fieldname)
    lengths = caches.get(key)
    if lengths is None:
        dfl = reader.doc_field_length
        lengths = caches[key] = [dfl(d, fieldname, 1) for d in range(reader.doc_count_all())]
    return lengths


class FastBM25F(scoring.BM25F):
    """Whoosh's BM25F with field lengths looked up in per-version lists."""

    def __init__(self, caches: dict, B: float = 0.75, K1: float = 1.2):
        super().__init__(B=B, K1=K1)
        self.caches = caches

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        B = self._field_B.get(fieldname, self.B)
        lengths = field_lengths(self.caches, searcher.reader(), fieldname)
        return _ListLengthScorer(searcher, fieldname, text, B, self.K1, lengths, qf=qf)


class _ListLengthScorer(scoring.BM25FScorer):
    def __init__(self, searcher, fieldname, text, B, K1, lengths, qf=1):
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        self.lengths = lengths

    def score(self, matcher):
        # The expression of whoosh.scoring.bm25, inlined: identical floats, one call fewer.
        tf, fl = matcher.weight(), self.lengths[matcher.id()]
        K1, B = self.K1, self.B
        return self.idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / self.avgfl)))


class _ZeroScore(WrappingMatcher):
    """Matches what its child matches and adds nothing to the score (a pure filter)."""

    def _replacement(self, newchild):
        return _ZeroScore(newchild)

    def replace(self, minquality=0):
        r = self.child.replace(0)  # its own quality is irrelevant: it scores 0
        return self if r is self.child else _ZeroScore(r)

    def supports_block_quality(self):
        return True

    def skip_to_quality(self, minquality):
        return 0

    def max_quality(self):
        return 0.0

    def block_quality(self):
        return 0.0

    def weight(self):
        return 0.0

    def score(self):
        return 0.0


class PairedPhrase(Phrase):
    """A phrase that finds candidates by its word shingles instead of every word's positions.

    A two-word phrase matches exactly the documents holding its pair, so no positions are
    read; longer phrases check positions only in documents holding all their pairs. The
    score is the phrase's own (the sum of its words' scores) plus zero from the pairs.
    (postings.py answers the same query faster, with triples; this is Whoosh's own path.)
    """

    def matcher(self, searcher, context=None):
        pairs_field = SHINGLE_FIELDS.get(self.fieldname)
        if pairs_field not in searcher.schema or len(self.words) < 2:
            return super().matcher(searcher, context)
        reader = searcher.reader()
        field = searcher.schema[self.fieldname]
        words = []
        for word in self.words:
            try:
                word = field.to_bytes(word)
            except ValueError:
                return super().matcher(searcher, context)
            words.append(word)
        pairs = [
            Term(pairs_field, shingle((a.decode("utf-8"), b.decode("utf-8"))))
            for a, b in zip(words, words[1:], strict=False)
        ]
        if any((p.fieldname, p.text) not in reader for p in pairs):
            return NullMatcher()  # a pair that never occurs: the phrase cannot either
        candidates = _ZeroScore(And(pairs).matcher(searcher, searcher.boolean_context()))
        terms = [Term(self.fieldname, w) for w in words]
        if len(words) == 2:
            # Same tree as Phrase's SpanNear2 (binary intersection of the words), no spans.
            scored = make_binary_tree(
                IntersectionMatcher, [t.matcher(searcher, context) for t in terms]
            )
        else:
            scored = SpanNear2(terms, slop=self.slop, ordered=True, mindist=1).matcher(
                searcher, context
            )
        m = IntersectionMatcher(candidates, scored)
        if self.boost != 1.0:
            m = WrappingMatcher(m, boost=self.boost)
        return m


def use_pairs(q):
    """q with its exact phrases (slop 1) on shingled fields answered by PairedPhrase."""

    def swap(node):
        if (
            type(node) is Phrase
            and node.slop == 1
            and node.fieldname in SHINGLE_FIELDS
            and len(node.words) >= 2
        ):
            return PairedPhrase(
                node.fieldname, node.words, slop=1, boost=node.boost, char_ranges=node.char_ranges
            )
        return node

    return q.accept(swap)


def collect(searcher, q, caches: dict, deadline=None) -> tuple[list[int], list[float]]:
    """All documents matching q, ascending, with their BM25F scores: one pass.

    With a deadline (limits.Deadline), the walk stops quietly once it has passed.
    """
    context = searcher.context(weighting=FastBM25F(caches), needs_current=True)
    ids: list[int] = []
    scores: list[float] = []
    add_id, add_score = ids.append, scores.append
    for sub, offset in searcher.leaf_searchers():
        if deadline is not None and deadline.passed():
            break
        m = q.matcher(sub, context)
        if not m.is_active():
            continue
        m = m.replace(0)
        is_active, doc, score, advance = m.is_active, m.id, m.score, m.next
        n = 0
        while is_active():
            add_id(offset + doc())
            add_score(score())
            advance()
            n += 1
            # A clock read every CLOCK_EVERY documents keeps the check off the hot path.
            if deadline is not None and n % CLOCK_EVERY == 0 and deadline.passed():
                return ids, scores
    return ids, scores


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

"""The one matching path: a query -> every matching docnum with its BM25F score.

Every view (results page, grouped view, export, trends, similar recommendations, the CLI)
matches through `match`, or `match_lazily`, which leaves a two-word search's phrase boost
in report pages to be read as far as the ranking needs (search/phrase_boost.py). Each term's postings come decoded from the version's state
(search/postings.py), and a query node combines its children's dicts with set and dict
operations that run in C, instead of Whoosh walking its matcher tree one document at a
time in Python (~90% of a search).

Scores are Whoosh's to the last bit: ``Or`` and ``And`` combine their children in the very
tree Whoosh builds (``make_weighted_tree`` on the same estimated sizes, ties kept in order),
adding ``a + b`` as ``UnionMatcher``, ``IntersectionMatcher`` and ``AndMaybeMatcher`` do; a
missing side adds nothing; ``NOT x`` is every live document x does not match, scoring 1.0
(``InverseMatcher``'s weight), and ``ANDNOT`` keeps its left side's scores. Any other node
(phrases with slop, wildcards left whole, ranges...) is answered by its own Whoosh matcher,
walked once. tests/test_execute.py checks all of it against Whoosh's own matchers.
"""

from __future__ import annotations

from itertools import compress, filterfalse
from operator import add, itemgetter

from whoosh import query as wq
from whoosh.util import make_binary_tree, make_weighted_tree

from search_service.index.state import VersionState
from search_service.search.limits import CLOCK_EVERY, Deadline
from search_service.search.phrase_boost import PhraseBoost
from search_service.search.phrases import Unread, phrase, phrase_unread
from search_service.search.postings import (
    EMPTY,
    Node,
    OutOfTime,
    Segment,
    boosted,
    btext_in,
    term_scores,
)
from search_service.search.ranking import FastBM25F


class Inverse(Node):
    """NOT child: the segment's live documents the child does not match, each scoring 1.0.

    Kept as the child's docnums until a parent needs the documents themselves: beside an
    intersection (`a NOT b`, the common case) it only filters the other side.
    """

    __slots__ = ("excluded", "reader")

    def __init__(self, excluded, reader):
        super().__init__()
        self.excluded = excluded
        self.reader = reader

    @property
    def scores(self) -> dict:
        """docnum -> 1.0 for every live document outside the child's matches."""
        if self._scores is None:
            live = self.reader.all_doc_ids()
            self._scores = dict.fromkeys(filterfalse(self.excluded.__contains__, live), 1.0)
        return self._scores

    def items(self) -> tuple:
        """Docnums and their scores, in the same order."""
        return self.scores.keys(), self.scores.values()


def _size(seg: Segment, q) -> int:
    """q.estimate_size(segment reader), the weight Whoosh orders a tree's children by, with
    term frequencies from the version's table."""
    kind = type(q)
    if kind is wq.Term:
        btext = btext_in(seg, q.fieldname, q.text)
        return 0 if btext is None else seg.df(q.fieldname, btext)
    if kind is wq.Or:  # CompoundQuery.estimate_size
        return min(sum(_size(seg, s) for s in q.subqueries), seg.reader.doc_count())
    if kind is wq.And:
        return min(_size(seg, s) for s in q.subqueries)
    return q.estimate_size(seg.reader)


def _sums(sa: dict, sb: dict, docs) -> zip:
    """(d, sa[d] + sb[d]) for d in docs, iterated in C (map and zip, no Python loop)."""
    docs = list(docs)
    return zip(docs, map(add, map(sa.__getitem__, docs), map(sb.__getitem__, docs)), strict=True)


def _union(a: Node, b: Node) -> Node:
    """UnionMatcher: a's score, b's, or a + b where both match."""
    sa, sb = a.scores, b.scores
    if not sb:
        return a
    if not sa:
        return b
    out = sa | sb
    out.update(_sums(sa, sb, sa.keys() & sb.keys()))
    return Node(out)


def _intersection(a: Node, b: Node) -> Node:
    """IntersectionMatcher: a + b where both match."""
    if (type(a) is Inverse) is not (type(b) is Inverse):
        # One side is NOT x: the other side's matches outside x, each + 1.0 (addition
        # commutes bit for bit, so which side the inverse is on does not matter).
        kept, inverse = (b, a) if type(a) is Inverse else (a, b)
        sk = kept.scores
        docs = list(filterfalse(inverse.excluded.__contains__, sk))
        return Node(pairs=(docs, [sk[d] + 1.0 for d in docs]))
    sa, sb = a.scores, b.scores
    docs = list(sa.keys() & sb.keys())
    if len(docs) < 2:
        return Node(dict(_sums(sa, sb, docs)))
    pick = itemgetter(*docs)  # one C call per side, where map() calls per document
    return Node(pairs=(docs, list(map(add, pick(sa), pick(sb)))))


def _and_maybe(a: Node, b: Node) -> Node:
    """AndMaybeMatcher: a's matches; a + b where b matches too."""
    sb = b.scores
    if not sb:
        return a  # as it is (lists stay lists)
    sa = a.scores
    both = sa.keys() & sb.keys()
    if not both:
        return a
    out = dict(sa)
    out.update(_sums(sa, sb, both))
    return Node(out)


def _and_not(a: Node, b: Node) -> Node:
    """AndNotMatcher: a's matches (with a's scores) that b does not match."""
    sa, sb = a.scores, b.scores
    if not sb:
        return a
    return Node({d: s for d, s in sa.items() if d not in sb})


def _tree(seg: Segment, q, subs, combine, weight_fn) -> Node:
    """CompoundQuery._tree_matcher, with dicts for matchers."""
    nodes = [_eval(seg, s) for s in subs]
    if len(nodes) == 1:
        node = nodes[0]
    elif weight_fn is None:
        node = make_binary_tree(combine, nodes)
    else:
        node = make_weighted_tree(
            combine, [(weight_fn(s), n) for s, n in zip(subs, nodes, strict=True)]
        )
    return boosted(node, q.boost)


def _whoosh(seg: Segment, q) -> Node:
    """Any other node: walk its own Whoosh matcher once."""
    m = q.matcher(seg.sub, seg.context)
    if not m.is_active():
        return EMPTY
    m = m.replace(0)
    scores = {}
    is_active, doc, score, advance = m.is_active, m.id, m.score, m.next
    n = 0
    while is_active():
        scores[doc()] = score()
        advance()
        n += 1
        if n % CLOCK_EVERY == 0:
            seg.check()
    return Node(scores)


def _or(seg: Segment, q) -> Node:
    subs = q.subqueries
    if not (
        q.matcher_type == wq.Or.AUTO_MATCHER
        and len(subs) < wq.Or.TOO_MANY_CLAUSES
        and not q.scale
        and seg.context.needs_current
    ):
        return _whoosh(seg, q)
    if not all(type(s) is wq.Term for s in subs):
        return _tree(seg, q, subs, _union, lambda s: _size(seg, s))
    # A word over the searched fields: the same for every query holding the word, so its
    # merged dict is cached like a term's. Not keyed on q: Whoosh's Or hash XORs its terms',
    # so a word over an even number of fields cancels out and every word's Or hashes alike
    # (one long collision chain in the cache).
    key = (seg.segid, "or", q.boost, tuple((s.fieldname, s.text, s.boost) for s in subs))
    done = seg.cache.get(key)
    if done is None:
        if not any(btext_in(seg, s.fieldname, s.text) for s in subs):
            return EMPTY  # in none of the fields of this segment: nothing to merge
        done = _tree(seg, q, subs, _union, lambda s: _size(seg, s)).scores
        seg.cache.put(key, done)
    return Node(done)


def _eval(seg: Segment, q) -> Node:
    seg.check()
    kind = type(q)
    if kind is wq.Term:
        btext = btext_in(seg, q.fieldname, q.text)
        if btext is None:
            return EMPTY
        return boosted(Node(term_scores(seg, q.fieldname, btext)), q.boost)
    if kind is wq.Or or kind is wq.And:
        subs = q.subqueries
        if not subs:
            return EMPTY
        if len(subs) == 1:
            return _eval(seg, subs[0])
        if kind is wq.And:
            return _tree(seg, q, subs, _intersection, lambda s: 0 - _size(seg, s))
        return _or(seg, q)
    if kind is wq.AndMaybe:
        return _and_maybe(_eval(seg, q.a), _eval(seg, q.b))
    if kind is wq.Not:
        return Inverse(_eval(seg, q.query).scores.keys(), seg.reader)
    if kind is wq.AndNot:
        return _and_not(_eval(seg, q.a), _eval(seg, q.b))
    if kind is wq.Phrase and q.slop == 1 and len(q.words) >= 2:
        node = phrase(seg, q)
        if node is not None:
            return node
    return _whoosh(seg, q)


def match(
    searcher, state: VersionState, q, deadline: Deadline | None = None
) -> tuple[list[int], list[float]]:
    """Every document matching q with its BM25F score (docnums in no particular order;
    scores[i] belongs to ids[i]). Past the deadline, what was matched so far."""
    ids, scores, boost = match_lazily(searcher, state, q, deadline)
    if boost is not None:
        boost.settle(ids, scores, None, None)
    return ids, scores


def match_lazily(
    searcher, state: VersionState, q, deadline: Deadline | None = None
) -> tuple[list[int], list[float], PhraseBoost | None]:
    """match(), but a top-level phrase boost (a search of two to five plain words) is left
    unread in report pages: their scores lack it until PhraseBoost.settle raises them."""
    context = searcher.context(weighting=FastBM25F(state), needs_current=True)
    lazy = type(q) is wq.AndMaybe and type(q.b) is wq.Phrase and q.b.slop == 1
    boost = PhraseBoost() if lazy else None
    ids: list[int] = []
    scores: list[float] = []
    for sub, offset in searcher.leaf_searchers():
        seg = Segment(sub, context, state, deadline)
        try:
            node, unread = _and_maybe_unread(seg, q) if lazy else (_eval(seg, q), None)
        except OutOfTime:
            break
        if unread is None:
            docs, values = node.items()
            # In no particular order: counting, filtering and the top N (score, then docnum)
            # do not need it, and sorting 50k docnums costs more than the rest of the merge.
            ids.extend(map(offset.__add__, docs) if offset else docs)
            scores.extend(values)
            continue
        # The pages left unread go last, with their scores without the boost.
        held, without = node.scores, unread.without
        local = list(compress(unread.docs, map(without.__contains__, unread.docs)))
        rest = list(filterfalse(set(local).__contains__, held))
        ids.extend(map(offset.__add__, rest))
        scores.extend(map(held.__getitem__, rest))
        lows = boost.add(unread, len(ids), local, q.b.boost)
        ids.extend(map(offset.__add__, local))
        scores.extend(lows)
    return ids, scores, boost


def _and_maybe_unread(seg: Segment, q) -> tuple[Node, Unread | None]:
    """_eval of AndMaybe(a, phrase), the phrase's report pages unread (see match_lazily)."""
    a = _eval(seg, q.a)
    parts = phrase_unread(seg, q.b)
    if parts is None:
        return _and_maybe(a, _eval(seg, q.b)), None
    resolved, unread = parts
    if unread is not None:
        unread.without = a.scores
    return _and_maybe(a, resolved), unread

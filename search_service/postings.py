"""Queries evaluated over cached, decoded postings instead of Whoosh's matcher tree.

Whoosh walks its matcher tree one document at a time in Python (every plain word is an
``Or`` over four fields), which was ~90% of a search. Here each term's postings are decoded
once per index version into a dict docnum -> BM25F score (kept in a per-version LRU bounded
by an estimate of its bytes), and a query node combines its children's dicts with set and
dict operations that run in C.

Scores are Whoosh's to the last bit: a term's score is the same expression on the same
operands as ``scoring._ListLengthScorer``; ``Or`` and ``And`` combine their children in the
very tree Whoosh builds (``make_weighted_tree`` on the same estimated sizes, ties kept in
order), adding ``a + b`` in the same order as ``UnionMatcher``, ``IntersectionMatcher`` and
``AndMaybeMatcher``; a missing side adds nothing, as in Whoosh. Any other node (phrases of
three or more words, phrases outside ``text``, wildcards, ``ANDNOT``...) is answered by its own
Whoosh matcher, walked as before; a query holding ``NOT`` is left to ``scoring.collect``.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from itertools import accumulate
from operator import add, itemgetter
from pickle import loads

from whoosh import formats
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.system import _INT_SIZE
from whoosh.util import make_binary_tree, make_weighted_tree

from .config import setting
from .limits import CLOCK_EVERY
from .scoring import SHINGLE_FIELDS, FastBM25F, PairedPhrase, _ListLengthScorer, shingle

# Decoded postings cost ~100 bytes each (an estimate, for the cache budget).
BYTES_PER_POSTING = 100
# Looked-up terms whose document frequency (0: absent) a version remembers outside the
# lexicons read at warm-up; emptied at this size (~150 bytes a term).
TERM_MEMO = 100_000


class Unsupported(Exception):
    """The query holds a node this module leaves to Whoosh as a whole (NOT)."""


class _Out(Exception):
    """The deadline passed while evaluating."""


class _Node:
    """A subquery's matches: docnum (in its segment) -> score, the floats its matcher gives.

    An intersection keeps its matches as two lists until a parent needs the dict: at the top
    of a query (most two-word searches) they go straight into the result, and building a dict
    of tens of thousands of matches was a third of the matching.
    """

    __slots__ = ("_scores", "_pairs")

    def __init__(self, scores: dict | None = None, pairs: tuple[list, list] | None = None):
        self._scores = scores  # never mutated: leaves are shared through the cache
        self._pairs = pairs  # (docnums, scores), when built from lists

    @property
    def scores(self) -> dict:
        if self._scores is None:
            docs, values = self._pairs
            self._scores = dict(zip(docs, values, strict=True))
        return self._scores

    def items(self) -> tuple:
        """Docnums and their scores, in the same order."""
        if self._pairs is not None:
            return self._pairs
        return self._scores.keys(), self._scores.values()

    # make_weighted_tree sorts (weight, matcher) pairs. Whoosh's matchers compare so that a
    # pair never sorts before another of equal weight (same class: equal; else: not less),
    # so ties keep their order. These compare the same way.
    def __eq__(self, other):
        return True

    def __lt__(self, other):
        return False

    __hash__ = None


_EMPTY = _Node({})


class PostingsCache:
    """Per-version LRU of decoded postings: (segment, field, term) -> {docnum: score}."""

    def __init__(self, budget: int | None = None):
        # Bytes kept per index version: $DHR_POSTINGS_CACHE_MB (config.py), read when opened.
        if budget is None:
            budget = int(setting("POSTINGS_CACHE_MB") * 1024 * 1024)
        self.budget = budget
        self.used = 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value: dict) -> None:
        size = len(value) * BYTES_PER_POSTING + 200
        if size > self.budget:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self.used += size
            while self.used > self.budget and self._items:
                _, old = self._items.popitem(last=False)
                self.used -= len(old) * BYTES_PER_POSTING + 200


class CompactPostings:
    """Per-version store of postings decoded ahead of use: (segment, field, term) -> (ids,
    scores) as arrays, 12 bytes a posting where a dict costs ~100. Filled at warm-up for the
    searched fields' terms, commonest first, within $DHR_COMPACT_POSTINGS_MB (config.py), so
    a term's first use builds its dict in C instead of decoding Whoosh's blocks in Python."""

    def __init__(self, budget: int | None = None):
        if budget is None:
            budget = int(setting("COMPACT_POSTINGS_MB") * 1024 * 1024)
        self.budget = budget
        self.used = 0
        self.items: dict = {}

    def get(self, key) -> dict | None:
        found = self.items.get(key)
        if found is None:
            return None
        ids, scores = found
        if scores is None:  # a field that is matched, never scored (shingles)
            return dict.fromkeys(ids, 0.0)
        return dict(zip(ids, scores, strict=True))

    @staticmethod
    def _size(postings: int, scored: bool) -> int:
        return (12 if scored else 4) * postings + 150

    def fits(self, postings: int, scored: bool = True) -> bool:
        """Whether a term of this many postings fits in what is left of the budget."""
        return self.used + self._size(postings, scored) <= self.budget

    def add(self, key, scores: dict, scored: bool = True) -> None:
        """Keep scores compactly (only the ids when not scored)."""
        values = array("d", scores.values()) if scored else None
        self.items[key] = (array("i", scores.keys()), values)
        self.used += self._size(len(scores), scored)


def compact_postings(caches: dict) -> CompactPostings:
    found = caches.get("compact_postings")
    if found is None:
        found = caches.setdefault("compact_postings", CompactPostings())
    return found


def term_frequencies(caches: dict) -> tuple[dict, dict]:
    """The version's term frequency tables (see _Env.df): whole lexicons, read at warm-up,
    (segment, field) -> {term: df}; and a memo of other lookups, (segment, field, term) -> df."""
    found = caches.get("term_df")
    if found is None:
        found = caches.setdefault("term_df", ({}, {}))
    return found


def doc_frequency(caches: dict | None, reader, fieldname: str, text: str) -> int:
    """reader.doc_frequency(fieldname, text), summed from the version's lexicons where warm-up
    read them (a probe of each segment's hash file otherwise)."""
    lexicons = term_frequencies(caches)[0] if caches is not None else {}
    leaves = reader.leaf_readers()
    found = [lexicons.get((_segment_id(leaf), fieldname)) for leaf, _offset in leaves]
    if not lexicons or None in found:
        return reader.doc_frequency(fieldname, text)
    btext = reader.schema[fieldname].to_bytes(text)
    return sum(lexicon.get(btext, 0) for lexicon in found)


def _segment_id(reader):
    seg = reader.segment()
    return seg.segment_id() if seg is not None else id(reader)


def postings_cache(caches: dict) -> PostingsCache:
    cache = caches.get("postings")
    if cache is None:
        cache = caches.setdefault("postings", PostingsCache())
    return cache


class _Env:
    def __init__(self, sub, context, caches, deadline):
        self.sub = sub
        self.reader = sub.reader()
        self.context = context
        self.weighting = context.weighting
        self.cache = postings_cache(caches)
        self.compact = compact_postings(caches)
        self.lexicons, self.dfs = term_frequencies(caches)
        self.segid = _segment_id(self.reader)
        self.deadline = deadline

    def check(self):
        if self.deadline is not None and self.deadline.passed():
            raise _Out

    def df(self, fieldname: str, btext: bytes) -> int:
        """reader.doc_frequency (0 for a term the segment lacks), remembered per version: a
        probe of Whoosh's on-disk hash table costs ~5 µs, and a word searched over four
        fields in four segments takes eight of them per segment on first use."""
        lexicon = self.lexicons.get((self.segid, fieldname))
        if lexicon is not None:
            return lexicon.get(btext, 0)
        key = (self.segid, fieldname, btext)
        found = self.dfs.get(key)
        if found is None:
            found = self.reader.doc_frequency(fieldname, btext)
            if len(self.dfs) >= TERM_MEMO:
                self.dfs.clear()
            self.dfs[key] = found
        return found


def _blocks(reader, fieldname: str, btext: bytes, part: str | None):
    """(ids, weights), (ids, values) or (ids, None) of one term's postings, a block at a time.

    Whoosh's own block reader decodes ids and expands absent or constant weights in Python
    generators, one posting at a time; here the same data comes out of C (accumulate, tuple
    repetition), and weights are not read at all when only ids are wanted.
    """
    m = reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format)
    if type(m) is not W3LeafMatcher:  # another codec: one posting at a time
        one = m.weight if part == "weights" else m.value
        while m.is_active():
            yield (m.id(),), (None if part is None else one(),)
            m.next()
        return
    while m.is_active():
        if m._data is None:
            m._read_data()
        ids = m._ids
        if ids is None:
            ids = m._data[0]
            if not m._byteids:
                ids = tuple(accumulate(ids))  # W3LeafMatcher._read_ids' delta_decode
        if part == "weights":
            yield ids, _block_weights(m._data[1], m._blocklength)
        elif part == "values":
            if m._values is None:
                m._read_values()
            yield ids, m._values
        else:
            yield ids, None
        m._next_block()


def _block_weights(weights, count: int):
    """W3LeafMatcher._read_weights: every weight 1.0 (None), one float for all, or an array."""
    if weights is None:
        return (1.0,) * count
    if isinstance(weights, float):
        # Whoosh keeps weights in array("f"): the float rounded to single precision.
        return array("f", (weights,)) * count
    return weights


def _raw_postings(reader, fieldname: str, btext: bytes, weights: bool = True):
    """(ids, weights) of one term in one segment, read block by block, deletions left out
    (weights empty when not wanted)."""
    ids: list[int] = []
    found: list[float] = []
    for block_ids, block_weights in _blocks(
        reader, fieldname, btext, "weights" if weights else None
    ):
        ids.extend(block_ids)
        if weights:
            found.extend(block_weights)
    deleted = reader.deleted_docs_set
    if deleted:
        keep = [i for i, d in enumerate(ids) if d not in deleted]
        ids = [ids[i] for i in keep]
        found = [found[i] for i in keep] if weights else found
    return ids, found


def _term_scores(env: _Env, fieldname: str, btext: bytes) -> dict:
    key = (env.segid, fieldname, btext)
    scores = env.cache.get(key)
    if scores is not None:
        return scores
    scores = env.compact.get(key)
    if scores is not None:
        env.cache.put(key, scores)
        return scores
    scores = _decode_scores(env, fieldname, btext)
    env.cache.put(key, scores)
    return scores


def _decode_scores(env: _Env, fieldname: str, btext: bytes) -> dict:
    """docnum -> score of one term, decoded from the index."""
    field = env.sub.schema[fieldname]
    ids, weights = _raw_postings(env.reader, fieldname, btext, weights=field.scorable)
    if not field.scorable:
        scores = dict.fromkeys(ids, 0.0)
    else:
        scorer = env.weighting.scorer(env.sub, fieldname, btext)
        if type(scorer) is _ListLengthScorer:
            # _ListLengthScorer.score, the same expression on the same operands.
            idf, K1, B, avgfl, fl = scorer.idf, scorer.K1, scorer.B, scorer.avgfl, scorer.lengths
            scores = {
                d: idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl[d] / avgfl)))
                for d, tf in zip(ids, weights, strict=True)
            }
        else:
            # Another scorer (a plain weight): let Whoosh's leaf matcher score.
            m = env.reader.postings(fieldname, btext, scorer=scorer)
            scores = {}
            while m.is_active():
                scores[m.id()] = m.score()
                m.next()
    return scores


def _btext(env: _Env, fieldname: str, text):
    if fieldname not in env.sub.schema:
        return None
    try:
        btext = env.sub.schema[fieldname].to_bytes(text)
    except ValueError:
        return None
    # A term is in a segment's term table exactly when its document frequency is above 0.
    return btext if env.df(fieldname, btext) else None


def _size(env: _Env, q) -> int:
    """q.estimate_size(segment reader), the weight Whoosh orders a tree's children by, with
    term frequencies from the version's table."""
    kind = type(q)
    if kind is wq.Term:
        btext = _btext(env, q.fieldname, q.text)
        return 0 if btext is None else env.df(q.fieldname, btext)
    if kind is wq.Or:  # CompoundQuery.estimate_size
        return min(sum(_size(env, s) for s in q.subqueries), env.reader.doc_count())
    if kind is wq.And:
        return min(_size(env, s) for s in q.subqueries)
    return q.estimate_size(env.reader)


def _boosted(node: _Node, boost: float) -> _Node:
    if boost == 1.0:
        return node
    scores = node.scores
    return _Node(dict(zip(scores, map(boost.__rmul__, scores.values()), strict=True)))  # s * boost


def _sums(sa: dict, sb: dict, docs) -> zip:
    """(d, sa[d] + sb[d]) for d in docs, iterated in C (map and zip, no Python loop)."""
    docs = list(docs)
    return zip(docs, map(add, map(sa.__getitem__, docs), map(sb.__getitem__, docs)), strict=True)


def _union(a: _Node, b: _Node) -> _Node:
    """UnionMatcher: a's score, b's, or a + b where both match."""
    sa, sb = a.scores, b.scores
    if not sb:
        return a
    if not sa:
        return b
    out = sa | sb
    out.update(_sums(sa, sb, sa.keys() & sb.keys()))
    return _Node(out)


def _intersection(a: _Node, b: _Node) -> _Node:
    """IntersectionMatcher: a + b where both match."""
    sa, sb = a.scores, b.scores
    docs = list(sa.keys() & sb.keys())
    if len(docs) < 2:
        return _Node(dict(_sums(sa, sb, docs)))
    pick = itemgetter(*docs)  # one C call per side, where map() calls per document
    return _Node(pairs=(docs, list(map(add, pick(sa), pick(sb)))))


def _and_maybe(a: _Node, b: _Node) -> _Node:
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
    return _Node(out)


def _tree(env: _Env, q, subs, combine, weight_fn) -> _Node:
    """CompoundQuery._tree_matcher, with dicts for matchers."""
    nodes = [_eval(env, s) for s in subs]
    if len(nodes) == 1:
        node = nodes[0]
    elif weight_fn is None:
        node = make_binary_tree(combine, nodes)
    else:
        node = make_weighted_tree(
            combine, [(weight_fn(s), n) for s, n in zip(subs, nodes, strict=True)]
        )
    return _boosted(node, q.boost)


def _whoosh(env: _Env, q) -> _Node:
    """Any other node: walk its own Whoosh matcher, as scoring.collect does."""
    m = q.matcher(env.sub, env.context)
    if not m.is_active():
        return _EMPTY
    m = m.replace(0)
    scores = {}
    is_active, doc, score, advance = m.is_active, m.id, m.score, m.next
    n = 0
    while is_active():
        scores[doc()] = score()
        advance()
        n += 1
        if n % CLOCK_EVERY == 0:
            env.check()
    return _Node(scores)


def _term_values(env: _Env, fieldname: str, btext: bytes) -> dict:
    """docnum -> the raw postings value (encoded positions) of one term, cached like scores."""
    key = (env.segid, fieldname, btext, "values")
    values = env.cache.get(key)
    if values is not None:
        return values
    values = {}
    for block_ids, block_values in _blocks(env.reader, fieldname, btext, "values"):
        values.update(zip(block_ids, block_values, strict=True))
    env.cache.put(key, values)
    return values


def _positions_decoder(fmt):
    """format.decode_positions, for Whoosh's Positions format without the Python loop."""
    if type(fmt) is not formats.Positions:
        return fmt.decode_positions

    def decode(value: bytes):
        # Positions.decode_positions: pickled deltas after the frequency, summed.
        if not value.endswith(b"."):
            value += b"."
        return accumulate(loads(value[_INT_SIZE:]))

    return decode


def _positions_line_up(env: _Env, fieldname: str, terms: list[bytes], candidates) -> list[int]:
    """The candidates where terms[i] occurs at p + i for some p, in fieldname."""
    decode = _positions_decoder(env.sub.schema[fieldname].format)
    values = [_term_values(env, fieldname, t) for t in terms]
    found = []
    for n, d in enumerate(candidates):
        starts = set(decode(values[0][d]))
        for i in range(1, len(terms)):
            starts.intersection_update(map(i.__rsub__, decode(values[i][d])))  # p - i
            if not starts:
                break
        else:
            found.append(d)
        if n % CLOCK_EVERY == CLOCK_EVERY - 1:
            env.check()
    return found


def _phrase(env: _Env, q) -> _Node | None:
    """An exact phrase (slop 1), as Phrase / PairedPhrase match and score it; None: not here."""
    field = env.sub.schema[q.fieldname] if q.fieldname in env.sub.schema.names() else None
    if field is None:
        return _EMPTY
    if not field.format or not field.format.supports("positions"):
        return None  # Whoosh raises its own error for this
    terms = []
    for word in q.words:
        btext = _btext(env, q.fieldname, word)
        if btext is None:
            return _EMPTY  # a word that never occurs: no phrase (Whoosh's shortcut)
        terms.append(btext)
    scored = [_term_scores(env, q.fieldname, t) for t in terms]
    key = (env.segid, q.fieldname, tuple(terms), "phrase")
    done = env.cache.get(key)
    if done is not None:
        return _boosted(_Node(done), q.boost)
    shingles = SHINGLE_FIELDS.get(q.fieldname) if type(q) is PairedPhrase else None
    if shingles is not None and shingles not in env.sub.schema:
        shingles = None
    if shingles is not None:
        # Two or three words: one shingle, held exactly by the documents holding the phrase.
        # More: every triple (word i to i + 2).
        size = min(len(terms), 3)
        words = [t.decode("utf-8") for t in terms]
        runs = []
        for i in range(len(words) - size + 1):
            btext = _btext(env, shingles, shingle(words[i : i + size]))
            if btext is None:
                return _EMPTY
            runs.append(btext)
        candidates = None
        # Rarest first: the intersection shrinks fastest.
        for keys in sorted((_term_scores(env, shingles, r).keys() for r in runs), key=len):
            candidates = set(keys) if candidates is None else candidates & keys
            if not candidates:
                return _EMPTY
        if len(runs) > 1:
            # Four words or more: every triple is there, but maybe not in a row. The words'
            # positions decide, read only in the (few) documents holding every triple.
            candidates = _positions_line_up(env, q.fieldname, terms, candidates)
    else:
        # Documents holding every word, then word i at p + i for some p.
        candidates = None
        for s in sorted(scored, key=len):
            candidates = set(s.keys()) if candidates is None else candidates & s.keys()
            if not candidates:
                return _EMPTY
        candidates = _positions_line_up(env, q.fieldname, terms, candidates)
    # SpanNear2's score: the binary intersection tree of its words (shingles add 0.0), summed
    # column by column over the candidates in the tree's order, so bit for bit the same.
    docs = list(candidates)
    sums = _tree_sums([list(map(s.__getitem__, docs)) for s in scored])
    found = dict(zip(docs, sums, strict=True))
    env.cache.put(key, found)
    return _boosted(_Node(found), q.boost)


def _tree_sums(columns: list[list[float]]) -> list[float]:
    """make_binary_tree's sums of aligned score columns: a + b for two, a + (b + c) for three."""
    if len(columns) == 1:
        return columns[0]
    half = len(columns) // 2
    return list(map(add, _tree_sums(columns[:half]), _tree_sums(columns[half:])))


def _eval(env: _Env, q) -> _Node:
    env.check()
    kind = type(q)
    if kind is wq.Term:
        btext = _btext(env, q.fieldname, q.text)
        if btext is None:
            return _EMPTY
        return _boosted(_Node(_term_scores(env, q.fieldname, btext)), q.boost)
    if kind is wq.Or or kind is wq.And:
        subs = q.subqueries
        if not subs:
            return _EMPTY
        if len(subs) == 1:
            return _eval(env, subs[0])
        if kind is wq.And:
            return _tree(env, q, subs, _intersection, lambda s: 0 - _size(env, s))
        if (
            q.matcher_type == wq.Or.AUTO_MATCHER
            and len(subs) < wq.Or.TOO_MANY_CLAUSES
            and not q.scale
            and env.context.needs_current
        ):
            if not all(type(s) is wq.Term for s in subs):
                return _tree(env, q, subs, _union, lambda s: _size(env, s))
            # A word over the searched fields: the same for every query holding the word,
            # so its merged dict is cached like a term's. Not keyed on q: Whoosh's Or hash
            # XORs its terms', so a word over an even number of fields cancels out and
            # every word's Or hashes alike (one long collision chain in the cache).
            key = (env.segid, "or", q.boost, tuple((s.fieldname, s.text, s.boost) for s in subs))
            done = env.cache.get(key)
            if done is None:
                if not any(_btext(env, s.fieldname, s.text) for s in subs):
                    return _EMPTY  # in none of the fields of this segment: nothing to merge
                done = _tree(env, q, subs, _union, lambda s: _size(env, s)).scores
                env.cache.put(key, done)
            return _Node(done)
        return _whoosh(env, q)
    if kind is wq.AndMaybe:
        return _and_maybe(_eval(env, q.a), _eval(env, q.b))
    if (kind is PairedPhrase or kind is wq.Phrase) and q.slop == 1 and len(q.words) >= 2:
        node = _phrase(env, q)
        if node is not None:
            return node
    return _whoosh(env, q)


def _has_not(q) -> bool:
    if isinstance(q, wq.Not):
        return True
    return any(_has_not(c) for c in q.children())


def collect_fast(searcher, q, caches: dict, deadline=None) -> tuple[list[int], list[float]]:
    """scoring.collect over cached postings: the same documents with the same scores
    (docnums in no particular order; scores[i] belongs to ids[i]).

    Raises Unsupported for queries holding NOT (scoring.collect answers those).
    """
    if _has_not(q):
        raise Unsupported
    context = searcher.context(weighting=FastBM25F(caches), needs_current=True)
    ids: list[int] = []
    scores: list[float] = []
    for sub, offset in searcher.leaf_searchers():
        env = _Env(sub, context, caches, deadline)
        try:
            node = _eval(env, q)
        except _Out:
            break
        docs, values = node.items()
        # In no particular order: counting, filtering and the top N (score, then docnum)
        # do not need it, and sorting 50k docnums costs more than the rest of the merge.
        ids.extend(map(offset.__add__, docs) if offset else docs)
        scores.extend(values)
    return ids, scores


def prewarm(searcher, caches: dict, fieldnames, share: float = 0.5) -> int:
    """Decode the longest postings lists of fieldnames (and their shingle fields) ahead of use:
    into the postings cache up to share of it, and every one, longest first, compactly
    (CompactPostings) for as many as its budget holds.

    Run when a version is opened (index.IndexHandle's warm-up thread): a term's first use
    costs time in proportion to its postings, so the common words every query class meets
    are decoded before searches need them. Returns how many postings were decoded.
    """
    cache = postings_cache(caches)
    compact = compact_postings(caches)
    room = int(cache.budget * share) // BYTES_PER_POSTING
    context = searcher.context(weighting=FastBM25F(caches), needs_current=True)
    envs = [_Env(sub, context, caches, None) for sub, _offset in searcher.leaf_searchers()]
    names = [*fieldnames, *(SHINGLE_FIELDS[n] for n in fieldnames if n in SHINGLE_FIELDS)]
    terms = []
    for i, env in enumerate(envs):
        schema, reader = env.sub.schema, env.reader
        for name in names:
            if name in schema.names():
                terms.extend(
                    (reader.doc_frequency(name, t), i, name, t) for t in reader.lexicon(name)
                )
    # The searched fields' lexicons stay, whole (shingle fields can hold millions of terms).
    lexicons = {}
    for df, i, name, btext in terms:
        if name in fieldnames:
            lexicons.setdefault((envs[i].segid, name), {})[btext] = df
    for env in envs:
        for name in fieldnames:
            if name in env.sub.schema.names():
                lexicons.setdefault((env.segid, name), {})  # no terms at all: still whole
    term_frequencies(caches)[0].update(lexicons)
    terms.sort(key=lambda t: -t[0])
    in_dicts = decoded = 0
    for df, i, name, btext in terms:
        env = envs[i]
        key = (env.segid, name, btext)
        scored = env.sub.schema[name].scorable
        as_dict = scored and in_dicts + df <= room  # the commonest words, ready to combine
        # Every term compactly too, while the budget lasts: the dict cache is an LRU that
        # queries' merged results push terms out of, and a term rebuilt from its arrays costs
        # a fraction of decoding Whoosh's blocks again.
        compactly = compact.fits(df, scored)
        if not (as_dict or compactly):
            continue
        scores = _decode_scores(env, name, btext)
        if as_dict:
            env.cache.put(key, scores)
            in_dicts += df
        if compactly:
            compact.add(key, scores, scored)
        decoded += df
    return decoded

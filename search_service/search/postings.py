"""A term's postings in one segment, decoded once per index version into docnum -> score.

Whoosh walks its matcher tree one document at a time in Python; here each term's postings
are decoded once (kept in the version's state: an LRU of dicts, and arrays decoded at
warm-up) and combined by search/execute.py with set and dict operations that run in C.
"""

from __future__ import annotations

from search_service.index.state import TERM_MEMO, VersionState
from search_service.index.whoosh_internals import positions_decoder, term_blocks, term_values_in
from search_service.search.ranking import ListLengthScorer


class OutOfTime(Exception):
    """The deadline passed while evaluating."""


class Node:
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
        """docnum -> score."""
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


EMPTY = Node({})


def segment_id(reader):
    """The id of a segment reader's segment (the key of everything kept per segment)."""
    seg = reader.segment()
    return seg.segment_id() if seg is not None else id(reader)


def doc_frequency(state: VersionState | None, reader, fieldname: str, text: str) -> int:
    """reader.doc_frequency(fieldname, text), summed from the version's lexicons where warm-up
    read them (a probe of each segment's hash file otherwise)."""
    lexicons = state.lexicons if state is not None else {}
    leaves = reader.leaf_readers()
    found = [lexicons.get((segment_id(leaf), fieldname)) for leaf, _offset in leaves]
    if not lexicons or None in found:
        return reader.doc_frequency(fieldname, text)
    btext = reader.schema[fieldname].to_bytes(text)
    return sum(lexicon.get(btext, 0) for lexicon in found)


class Segment:
    """One segment's searcher, scoring context, the version's state and the deadline."""

    def __init__(self, sub, context, state: VersionState, deadline):
        self.sub = sub
        self.reader = sub.reader()
        self.context = context
        self.weighting = context.weighting
        self.state = state
        self.cache = state.postings
        self.compact = state.compact
        self.lexicons = state.lexicons
        self.memo = state.term_memo
        self.segid = segment_id(self.reader)
        self.deadline = deadline

    def check(self) -> None:
        """Raise OutOfTime once the deadline has passed."""
        if self.deadline is not None and self.deadline.passed():
            raise OutOfTime

    def df(self, fieldname: str, btext: bytes) -> int:
        """reader.doc_frequency (0 for a term the segment lacks), remembered per version: a
        probe of Whoosh's on-disk hash table costs ~5 µs, and a word searched over four
        fields in four segments takes eight of them per segment on first use."""
        lexicon = self.lexicons.get((self.segid, fieldname))
        if lexicon is not None:
            return lexicon.get(btext, 0)
        key = (self.segid, fieldname, btext)
        found = self.memo.get(key)
        if found is None:
            found = self.reader.doc_frequency(fieldname, btext)
            if len(self.memo) >= TERM_MEMO:
                self.memo.clear()
            self.memo[key] = found
        return found


def raw_postings(reader, fieldname: str, btext: bytes, weights: bool = True):
    """(ids, weights) of one term in one segment, read block by block, deletions left out
    (weights empty when not wanted)."""
    ids: list[int] = []
    found: list[float] = []
    for block_ids, block_weights in term_blocks(
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


def term_scores(seg: Segment, fieldname: str, btext: bytes) -> dict:
    """docnum -> score of one term in the segment: cached, kept compactly, or decoded now."""
    key = (seg.segid, fieldname, btext)
    scores = seg.cache.get(key)
    if scores is not None:
        return scores
    scores = seg.compact.get(key)
    if scores is not None:
        seg.cache.put(key, scores)
        return scores
    scores = decode_scores(seg, fieldname, btext)
    seg.cache.put(key, scores)
    return scores


def decode_scores(seg: Segment, fieldname: str, btext: bytes) -> dict:
    """docnum -> score of one term, decoded from the index."""
    field = seg.sub.schema[fieldname]
    ids, weights = raw_postings(seg.reader, fieldname, btext, weights=field.scorable)
    if not field.scorable:
        return dict.fromkeys(ids, 0.0)
    scorer = seg.weighting.scorer(seg.sub, fieldname, btext)
    if type(scorer) is ListLengthScorer:
        return scorer.scores(ids, weights)
    # Another scorer (a plain weight): let Whoosh's leaf matcher score.
    m = seg.reader.postings(fieldname, btext, scorer=scorer)
    scores = {}
    while m.is_active():
        scores[m.id()] = m.score()
        m.next()
    return scores


def term_values(seg: Segment, fieldname: str, btext: bytes) -> dict:
    """docnum -> the raw postings value (encoded positions) of one term, cached like scores."""
    key = (seg.segid, fieldname, btext, "values")
    values = seg.cache.get(key)
    if values is not None:
        return values
    values = {}
    held = 0
    for block_ids, block_values in term_blocks(seg.reader, fieldname, btext, "values"):
        values.update(zip(block_ids, block_values, strict=True))
        held += sum(map(len, block_values))
    # Positions in long report pages are far bigger than a score: charged as they are.
    seg.cache.put(key, values, extra=held + 33 * len(values))
    return values


def btext_in(seg: Segment, fieldname: str, text):
    """text as the segment's term bytes, or None when the segment has no such term."""
    if fieldname not in seg.sub.schema:
        return None
    try:
        btext = seg.sub.schema[fieldname].to_bytes(text)
    except ValueError:
        return None
    # A term is in a segment's term table exactly when its document frequency is above 0.
    return btext if seg.df(fieldname, btext) else None


def boosted(node: Node, boost: float) -> Node:
    """node's scores times boost (the node itself at 1.0)."""
    if boost == 1.0:
        return node
    scores = node.scores
    return Node(dict(zip(scores, map(boost.__rmul__, scores.values()), strict=True)))  # s * boost


def doc_positions(
    searcher, state: VersionState, fieldname: str, tokens: set[str], docnums: list[int]
) -> dict[int, dict[str, list[int]]]:
    """docnum -> token -> its positions in fieldname, for the documents of docnums only.

    A token's postings values are read only in the blocks holding those documents (or taken
    from the version's cache, where a phrase left them whole).
    """
    found: dict[int, dict[str, list[int]]] = {d: {} for d in docnums}
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        end = offset + reader.doc_count_all()
        local = sorted(d - offset for d in docnums if offset <= d < end)
        if not local or fieldname not in reader.schema:
            continue
        field = reader.schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            continue
        decode = positions_decoder(field.format)
        segid = segment_id(reader)
        for token in tokens:
            btext = field.to_bytes(token)
            if (fieldname, btext) not in reader:
                continue
            values = state.postings.get((segid, fieldname, btext, "values"))
            if values is None:
                values = term_values_in(reader, fieldname, btext, local)
            for d in local:
                value = values.get(d)
                if value is not None:
                    found[d + offset][token] = list(decode(value))
    return found

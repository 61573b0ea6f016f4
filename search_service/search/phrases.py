"""Exact phrases over cached postings: shingles find the candidates, positions confirm them.

A phrase of two or three words matches exactly the documents holding its shingle
(analysis/shingles.py), so no positions are read; a longer one reads its words' positions
only in the documents holding every triple. The score is Whoosh's SpanNear2's, bit for bit.
"""

from __future__ import annotations

from operator import add

from search_service.analysis.shingles import SHINGLE_FIELDS, shingle
from search_service.index.schema import UNSHINGLED
from search_service.index.whoosh_internals import positions_decoder_many, term_values_in
from search_service.search.postings import (
    EMPTY,
    Node,
    Segment,
    boosted,
    btext_in,
    term_scores,
    term_values,
)


def positions_line_up(seg: Segment, fieldname: str, terms: list[bytes], candidates) -> list[int]:
    """The candidates where terms[i] occurs at p + i for some p, in fieldname."""
    decode = positions_decoder_many(seg.sub.schema[fieldname].format)
    found = candidates if isinstance(candidates, list) else sorted(candidates)
    starts: list[set[int]] = []  # per candidate still in: the p where terms[:i] line up
    for i, btext in enumerate(terms):
        if not found:
            break
        values = _values(seg, fieldname, btext, found)
        positions = decode([values[d] for d in found])  # each word's in one call into C
        seg.check()
        if not i:
            starts = list(map(set, positions))
            continue
        kept, kept_starts = [], []
        for d, at, ps in zip(found, starts, positions, strict=True):
            at.intersection_update(map(i.__rsub__, ps))  # p - i
            if at:
                kept.append(d)
                kept_starts.append(at)
        found, starts = kept, kept_starts
        seg.check()
    return found


# A term's positions are read only in the candidates when it is in this many times more
# documents than there are candidates (and not cached whole already).
SPARSE = 8


def _values(seg: Segment, fieldname: str, btext: bytes, candidates: list[int]) -> dict:
    """The term's raw postings values, for at least the candidates."""
    whole = seg.cache.get((seg.segid, fieldname, btext, "values"))
    if whole is not None:
        return whole
    if len(candidates) * SPARSE < seg.df(fieldname, btext):
        return term_values_in(seg.reader, fieldname, btext, candidates)
    return term_values(seg, fieldname, btext)


def phrase(seg: Segment, q) -> Node | None:
    """An exact phrase (slop 1), as Whoosh's Phrase matches and scores it; None: not here."""
    field = seg.sub.schema[q.fieldname] if q.fieldname in seg.sub.schema.names() else None
    if field is None:
        return EMPTY
    if not field.format or not field.format.supports("positions"):
        return None  # Whoosh raises its own error for this
    terms = []
    for word in q.words:
        btext = btext_in(seg, q.fieldname, word)
        if btext is None:
            return EMPTY  # a word that never occurs: no phrase (Whoosh's shortcut)
        terms.append(btext)
    # Kept as matched, shared by the phrase typed in quotes and a two-word search's phrase
    # boost (x2.0), and kept boosted too: boosting a common pair's ~20,000 report pages
    # again took ~4 ms of each warm answer.
    plain = (seg.segid, q.fieldname, tuple(terms), "phrase")
    key = plain if q.boost == 1.0 else (*plain[:3], q.boost, "phrase")
    done = seg.cache.get(key)
    if done is not None:
        return Node(done)
    found = seg.cache.get(plain) if key is not plain else None
    if found is None:
        found = _matched(seg, q.fieldname, terms)
        seg.cache.put(plain, found)
    node = boosted(Node(found), q.boost)
    if key is not plain:
        seg.cache.put(key, node.scores)
    return node


def _matched(seg: Segment, fieldname: str, terms: list[bytes]) -> dict:
    """docnum -> the phrase's score (unboosted), for the documents holding it in a row."""
    scored = [term_scores(seg, fieldname, t) for t in terms]
    shingles = SHINGLE_FIELDS.get(fieldname)
    if shingles is not None and shingles not in seg.sub.schema:
        shingles = None
    if shingles is not None:
        candidates = _shingle_candidates(seg, shingles, terms)
        if len(terms) > 3 and candidates:
            # Four words or more: every triple is there, but maybe not in a row. The words'
            # positions decide, read only in the (few) documents holding every triple.
            candidates = positions_line_up(seg, fieldname, terms, candidates)
        # Report pages have no shingles (schema.py): their positions decide.
        unshingled = _unshingled(seg, fieldname)
        if unshingled:
            within = _holding_all(scored, unshingled)
            if within:
                candidates = [*candidates, *positions_line_up(seg, fieldname, terms, within)]
    else:
        # Documents holding every word, then word i at p + i for some p.
        candidates = _holding_all(scored)
        if candidates:
            candidates = positions_line_up(seg, fieldname, terms, candidates)
    # SpanNear2's score: the binary intersection tree of its words, summed column by column
    # over the candidates in the tree's order, so bit for bit the same.
    docs = list(candidates)
    sums = tree_sums([list(map(s.__getitem__, docs)) for s in scored])
    return dict(zip(docs, sums, strict=True))


def _holding_all(scored: list[dict], within=None) -> list[int]:
    """The documents (of within, if given) holding every term, in docnum order."""
    candidates = None
    for keys in sorted((s.keys() for s in scored), key=len):
        if candidates is None:
            candidates = set(keys) if within is None else within & keys
        else:
            candidates &= keys
        if not candidates:
            return []
    return sorted(candidates)


def _unshingled(seg: Segment, fieldname: str):
    """The documents of the segment whose fieldname has no shingles (report pages), or None."""
    kind = UNSHINGLED.get(fieldname)
    if kind is None:
        return None
    btext = btext_in(seg, "type", kind)
    return term_scores(seg, "type", btext).keys() if btext is not None else None


def _shingle_candidates(seg: Segment, shingles: str, terms: list[bytes]) -> set:
    """Documents holding the phrase's shingle (two or three words) or every triple of it."""
    size = min(len(terms), 3)
    words = [t.decode("utf-8") for t in terms]
    runs = []
    for i in range(len(words) - size + 1):
        btext = btext_in(seg, shingles, shingle(words[i : i + size]))
        if btext is None:
            return set()
        runs.append(btext)
    candidates = None
    # Rarest first: the intersection shrinks fastest.
    for keys in sorted((term_scores(seg, shingles, r).keys() for r in runs), key=len):
        candidates = set(keys) if candidates is None else candidates & keys
        if not candidates:
            return set()
    return candidates


def tree_sums(columns: list[list[float]]) -> list[float]:
    """make_binary_tree's sums of aligned score columns: a + b for two, a + (b + c) for three."""
    if len(columns) == 1:
        return columns[0]
    half = len(columns) // 2
    return list(map(add, tree_sums(columns[:half]), tree_sums(columns[half:])))

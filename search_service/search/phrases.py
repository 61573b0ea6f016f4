"""Exact phrases over cached postings: shingles find the candidates, positions confirm them.

A phrase of two or three words matches exactly the documents holding its shingle
(analysis/shingles.py), so no positions are read; a longer one reads its words' positions
only in the documents holding every triple. Report pages have no shingles: their positions
decide, read at once (phrase) or left for a phrase boost to read as the ranking needs
(phrase_unread, search/phrase_boost.py). The score is Whoosh's SpanNear2's, bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress, pairwise
from operator import add

from search_service.analysis.shingles import SHINGLE_FIELDS, shingle
from search_service.index.schema import PAIR_FIELDS, UNSHINGLED
from search_service.index.state import BYTES_PER_POSTING
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
    """The candidates where terms[i] occurs at p + i for some p, in fieldname (ascending)."""
    decode = positions_decoder_many(seg.sub.schema[fieldname].format)
    found = sorted(candidates)  # blocks are read in docnum order (a sorted list: one pass)
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


def _segment_terms(seg: Segment, q) -> list[bytes] | None:
    """The phrase's words as the segment's terms ([]: a word never occurs here, so no
    phrase, Whoosh's shortcut); None: the field has no positions (Whoosh's own error)."""
    field = seg.sub.schema[q.fieldname] if q.fieldname in seg.sub.schema.names() else None
    if field is None:
        return []
    if not field.format or not field.format.supports("positions"):
        return None
    terms = []
    for word in q.words:
        btext = btext_in(seg, q.fieldname, word)
        if btext is None:
            return []
        terms.append(btext)
    return terms


def _keys(seg: Segment, q, terms: list[bytes]) -> tuple[tuple, tuple]:
    """The cache keys of the phrase as matched and as boosted (the same key at boost 1)."""
    # Kept as matched, shared by the phrase typed in quotes and a two-word search's phrase
    # boost (x2.0), and kept boosted too: boosting a common pair's ~20,000 report pages
    # again took ~4 ms of each warm answer.
    plain = (seg.segid, q.fieldname, tuple(terms), "phrase")
    return plain, (plain if q.boost == 1.0 else (*plain[:3], q.boost, "phrase"))


def phrase(seg: Segment, q) -> Node | None:
    """An exact phrase (slop 1), as Whoosh's Phrase matches and scores it; None: not here."""
    terms = _segment_terms(seg, q)
    if not terms:
        return EMPTY if terms is not None else None
    plain, key = _keys(seg, q, terms)
    done = seg.cache.get(key)
    if done is not None:
        return Node(done)
    found = seg.cache.get(plain) if key is not plain else None
    if found is None:
        found = _read_whole(seg, q.fieldname, terms, plain, _split(seg, q.fieldname, terms))
    return _boosted(seg, q, plain, key, found)


def _read_whole(seg: Segment, fieldname: str, terms: list[bytes], plain: tuple, split) -> dict:
    """The phrase's matches with every page's positions read, kept as matched."""
    scored, candidates, within = split
    if within:
        candidates = [*candidates, *positions_line_up(seg, fieldname, terms, within)]
    found = _scored(scored, candidates)
    seg.cache.put(plain, found)
    return found


def _boosted(seg: Segment, q, plain: tuple, key: tuple, found: dict) -> Node:
    node = boosted(Node(found), q.boost)
    if key is not plain:
        seg.cache.put(key, node.scores)
    return node


def _scored(scored: list[dict], candidates) -> dict:
    """docnum -> the phrase's score (unboosted) for candidates, SpanNear2's to the bit: the
    binary intersection tree of its words, summed column by column in the tree's order."""
    docs = list(candidates)
    return dict(zip(docs, _sums(scored, docs), strict=True))


def _sums(scored: list[dict], docs: list[int]) -> list[float]:
    return tree_sums([list(map(s.__getitem__, docs)) for s in scored])


def _split(seg: Segment, fieldname: str, terms: list[bytes]) -> tuple[list[dict], list, list]:
    """(each word's scores, the documents holding the phrase found without reading report
    pages' positions, the report pages holding every word, where only positions decide)."""
    scored = [term_scores(seg, fieldname, t) for t in terms]
    shingles = SHINGLE_FIELDS.get(fieldname)
    if shingles is not None and shingles not in seg.sub.schema:
        shingles = None
    if shingles is None:
        # Documents holding every word, then word i at p + i for some p.
        return scored, [], _holding_all(scored)
    candidates = _shingle_candidates(seg, shingles, terms)
    if len(terms) > 3 and candidates:
        # Four words or more: every triple is there, but maybe not in a row. The words'
        # positions decide, read only in the (few) documents holding every triple.
        candidates = positions_line_up(seg, fieldname, terms, candidates)
    # Report pages have no shingles (schema.py): their pairs of frequent words narrow them,
    # and their positions decide, unless the phrase is one pair.
    unshingled = _unshingled(seg, fieldname)
    if not unshingled:
        return scored, list(candidates), []
    pages, settled = _pair_pages(seg, fieldname, terms)
    if settled:
        return scored, [*candidates, *sorted(pages)], []
    within = unshingled if pages is None else pages
    return scored, list(candidates), _holding_all(scored, within)


@dataclass
class Unread:
    """A phrase in one segment with the report pages' positions not all read: the pages
    holding every word, and the phrase's score in each if its words are in a row there."""

    seg: Segment
    q: object
    terms: list[bytes]
    keys: tuple[tuple, tuple]
    kept: dict  # found, docs, sums and read, shared by the version's searches of the phrase
    without: dict = field(default_factory=dict)  # the search's scores without the boost

    @property
    def docs(self) -> list[int]:
        """The report pages holding every word, ascending."""
        return self.kept["docs"]

    @property
    def sums(self) -> list[float]:
        """The phrase's score (unboosted) in each of docs."""
        return self.kept["sums"]

    def in_a_row(self, docs: list[int]) -> list[int]:
        """Those of docs (ascending) where the phrase's words are in a row; each page is read
        once a version (what was found is kept)."""
        read = self.kept["read"]
        todo = [d for d in docs if d not in read]
        if todo:
            yes = set(positions_line_up(self.seg, self.q.fieldname, self.terms, todo))
            read.update(zip(todo, map(yes.__contains__, todo), strict=True))
        return list(compress(docs, map(read.__getitem__, docs)))

    def read_all(self) -> set[int]:
        """The pages holding the phrase, read in every one; the whole phrase is then kept,
        as phrase() keeps it."""
        confirmed = self.in_a_row(self.docs)
        held = dict(zip(self.docs, self.sums, strict=True))
        found = dict(self.kept["found"])
        found.update(zip(confirmed, map(held.__getitem__, confirmed), strict=True))
        plain, key = self.keys
        self.seg.cache.put(plain, found)
        _boosted(self.seg, self.q, plain, key, found)
        return set(confirmed)


def phrase_unread(seg: Segment, q) -> tuple[Node, Unread | None] | None:
    """phrase(), leaving the report pages' positions unread: the phrase's (boosted) matches
    but those pages, and what reads them. None where phrase() returns None."""
    terms = _segment_terms(seg, q)
    if not terms:
        return (EMPTY, None) if terms is not None else None
    plain, key = _keys(seg, q, terms)
    if seg.cache.get(key) is not None or seg.cache.get(plain) is not None:
        return phrase(seg, q), None
    unread_key = (*plain[:3], "unread")
    kept = seg.cache.get(unread_key)
    if kept is None:
        split = scored, candidates, within = _split(seg, q.fieldname, terms)
        read = _sampled(seg, q.fieldname, terms, within)
        if read is None:  # read every page now, as phrase() does
            found = _read_whole(seg, q.fieldname, terms, plain, split)
            return _boosted(seg, q, plain, key, found), None
        found = _scored(scored, candidates)
        kept = {"found": found, "docs": within, "sums": _sums(scored, within), "read": read}
        # Charged for its pages three times over: their docnums, sums, and what was read.
        seg.cache.put(unread_key, kept, extra=(len(found) + 3 * len(within)) * BYTES_PER_POSTING)
    unread = Unread(seg, q, terms, (plain, key), kept)
    return boosted(Node(kept["found"]), q.boost), unread


# Pages sampled before leaving a phrase's pages unread, and the share of them that must hold
# it: the best pages settle a results page only when many pages hold the words in a row.
# When few do (two words that are seldom a phrase), every page is read anyway, and leaving
# them unread first cost ~10% more.
SAMPLE, SAMPLE_RUNS, SAMPLE_SHARE, SAMPLE_FROM = 32, 4, 0.25, 128


def _sampled(seg: Segment, fieldname: str, terms: list[bytes], within: list[int]) -> dict | None:
    """A sample of within's pages read ({page: holds the phrase}), or None when within is
    small (against the pages holding each word, too), or few of the sample hold the phrase:
    then every page is best read at once."""
    if not within or len(within) < max(SAMPLE_FROM, SAMPLE_RUNS):
        return None
    if len(within) * SPARSE < min(seg.df(fieldname, t) for t in terms):
        return None  # every word's positions are read in a few of its blocks anyway
    # Runs of pages next to each other: their postings share blocks, so a sample reads a few
    # blocks of each word where pages spread out read a third of them.
    step = len(within) // SAMPLE_RUNS
    sample = [d for i in range(0, len(within), step) for d in within[i : i + SAMPLE // SAMPLE_RUNS]]
    held = set(positions_line_up(seg, fieldname, terms, sample))
    if len(held) < SAMPLE_SHARE * len(sample):
        return None
    return dict(zip(sample, map(held.__contains__, sample), strict=True))


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


def _pair_pages(seg: Segment, fieldname: str, terms: list[bytes]) -> tuple[set | None, bool]:
    """(the report pages holding the term of every pair of frequent words in a row of the
    phrase, or None when it has no such pair; whether those pages are the phrase's: it is
    one common pair)."""
    field = PAIR_FIELDS.get(fieldname)
    if field is None or field not in seg.sub.schema.names():
        return None, False
    analyzer = seg.sub.schema[field].analyzer
    frequent = analyzer.frequent
    words = [t.decode("utf-8") for t in terms]
    runs = [(a, b) for a, b in pairwise(words) if a in frequent and b in frequent]
    if not runs:
        return None, False
    pages: set | None = None
    # Rarest first: the intersection shrinks fastest.
    found = (_docs_of(seg, field, analyzer.term(a, b)) for a, b in runs)
    for keys in sorted(found, key=len):
        pages = set(keys) if pages is None else pages & keys
        if not pages:
            break
    return pages, len(words) == 2 and analyzer.exact(*runs[0])


def _docs_of(seg: Segment, fieldname: str, text: str):
    """The documents holding a term of a matched field (keys of its cached scores)."""
    btext = btext_in(seg, fieldname, text)
    return term_scores(seg, fieldname, btext).keys() if btext is not None else ()


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

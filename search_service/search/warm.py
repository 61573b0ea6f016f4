"""Filling a new index version's state before searches need it (the reader's warm-up hook)."""

from __future__ import annotations

import heapq
from operator import itemgetter

from search_service.analysis.shingles import SHINGLE_FIELDS
from search_service.analysis.vocabulary import groups as vocabulary_groups
from search_service.index.state import BYTES_PER_POSTING, VersionState
from search_service.index.whoosh_internals import release_mapped_pages
from search_service.search.execute import match
from search_service.search.facets import facet_table
from search_service.search.lessons_view import build_lessons
from search_service.search.parse import DEFAULT_FIELDS, parse_query
from search_service.search.postings import Segment, decode_scores
from search_service.search.ranking import FastBM25F, field_lengths
from search_service.search.request import QueryError
from search_service.search.suggest import SPELL_FIELD, neighbours
from search_service.search.word_memo import frequent_words, warm_words

# Terms prewarm() considers, longest first: more than the default budgets hold.
PREWARM_TERMS = 50_000
# Snippets' words from report pages: every PAGE_SAMPLE-th page read at warm-up, and its
# PAGE_WORDS commonest words as written analysed ahead (the first hits on pages analysed
# ~9 of every 10 of their words: a rare word's first answer took 27 ms, two thirds of it so).
PAGE_SAMPLE = 8
PAGE_WORDS = 30_000


def warm_state(searcher, state: VersionState) -> None:
    """Facet arrays (with their whole-version counts), the BM25F field lengths of the searched
    fields, the decoded postings of their words, the vocabulary's phrases, "did you mean"'s
    neighbours and snippets' word analyses (what the previous version lends, it has taken)."""
    facet_table(state, searcher).full_counts()
    for sub, _offset in searcher.leaf_searchers():
        for name in DEFAULT_FIELDS:
            if name in searcher.schema.names() and searcher.schema[name].scorable:
                field_lengths(state, sub.reader(), name)
    # Then the longest postings lists of the searched fields, up to half the postings cache,
    # and the vocabulary's names (a typed acronym searches them as phrases).
    prewarm(searcher, state, DEFAULT_FIELDS)
    warm_vocabulary(searcher, state)
    near = neighbours(searcher.reader(), state)  # for "did you mean"
    # Snippets analyse each word as written once; the spelling lexicon's words (the keys of
    # "did you mean"'s frequencies), lower-case and capitalised, cover most of what hits show.
    analyzer = searcher.schema["text"].analyzer
    if SPELL_FIELD in searcher.schema.names():
        words = [*near.df, *(w.capitalize() for w in near.df)]
        warm_words(analyzer, words)
    # Report pages have no spelling words: the words a sample of them prints most often.
    table = facet_table(state, searcher)
    pages = [d for d in table.live if table.type[d] == "passage"][::PAGE_SAMPLE]
    texts = (searcher.stored_fields(d).get("text", "") for d in pages)
    warm_words(analyzer, frequent_words(analyzer, texts, PAGE_WORDS))
    # Last, the slowest: the recurring-lesson groups (review pages and hits show them).
    state.lessons.get(lambda: build_lessons(searcher, table))
    # Warm-up read every stored field and the longest postings through the segments' maps;
    # those pages are the kernel's page cache, not this process's memory.
    release_mapped_pages()


def warm_vocabulary(searcher, state: VersionState) -> int:
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
            match(searcher, state, parsed)
            done += 1
    return done


def prewarm(searcher, state: VersionState, fieldnames, share: float = 0.5) -> int:
    """Decode the longest postings lists of fieldnames (and their shingle fields) ahead of use:
    into the postings cache up to share of it, and every one, longest first, compactly
    (CompactPostings) for as many as its budget holds.

    A term's first use costs time in proportion to its postings, so the common words every
    query class meets are decoded before searches need them. Returns how many postings
    were decoded.
    """
    cache, compact = state.postings, state.compact
    room = int(cache.budget * share) // BYTES_PER_POSTING
    context = searcher.context(weighting=FastBM25F(state), needs_current=True)
    segs = [Segment(sub, context, state, None) for sub, _offset in searcher.leaf_searchers()]
    names = [*fieldnames, *(SHINGLE_FIELDS[n] for n in fieldnames if n in SHINGLE_FIELDS)]
    # The searched fields' lexicons stay, whole (shingle fields can hold millions of terms).
    lexicons = {}
    for seg in segs:
        schema, reader = seg.sub.schema, seg.reader
        for name in fieldnames:
            if name in schema.names():
                lexicons[seg.segid, name] = {
                    t: reader.doc_frequency(name, t) for t in reader.lexicon(name)
                }
    state.lexicons.update(lexicons)

    def candidates():
        for i, seg in enumerate(segs):
            schema, reader = seg.sub.schema, seg.reader
            for name in names:
                if name in fieldnames and name in schema.names():
                    yield from ((df, i, name, t) for t, df in lexicons[seg.segid, name].items())
                elif name in schema.names():
                    yield from (
                        (reader.doc_frequency(name, t), i, name, t) for t in reader.lexicon(name)
                    )

    # Longest first (ties in lexicon order). Only as many as could fit: a list of every term
    # of the searched fields, made and dropped here, left ~30 MB of freed memory the process
    # could not give back at the library's size with its report pages.
    terms = heapq.nlargest(PREWARM_TERMS, candidates(), key=itemgetter(0))
    in_dicts = decoded = 0
    for df, i, name, btext in terms:
        seg = segs[i]
        key = (seg.segid, name, btext)
        scored = seg.sub.schema[name].scorable
        as_dict = scored and in_dicts + df <= room  # the commonest words, ready to combine
        # Every term compactly too, while the budget lasts: the dict cache is an LRU that
        # queries' merged results push terms out of, and a term rebuilt from its arrays costs
        # a fraction of decoding Whoosh's blocks again.
        compactly = compact.fits(df, scored)
        if not (as_dict or compactly):
            continue
        scores = decode_scores(seg, name, btext)
        if as_dict:
            cache.put(key, scores)
            in_dicts += df
        if compactly:
            compact.add(key, scores, scored)
        decoded += df
    return decoded

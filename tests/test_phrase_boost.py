"""A two-word search reads its phrase boost in report pages only where the page shown needs it.

What a user sees must not change: every page of results holds the hits, in the order and
with the scores, that Whoosh's own matchers give the whole query (the phrase read in every
page), with contents pages demoted and filters applied. The index is the demo corpus with a
report PDF of several pages beside each review, in two segments (an `--update` added one),
built without pairs of frequent words (tests/test_pairs.py has them), so that report pages'
positions decide every phrase.
"""

from __future__ import annotations

import random
import re
from types import SimpleNamespace

import pytest

from search_service.analysis import pairs as pair_words
from search_service.index.writer import build_index, update_index
from search_service.search import phrases
from search_service.search.facets import facet_table
from search_service.search.limits import Limits
from search_service.search.request import SearchRequest
from search_service.search.service import LISTING_WEIGHT, match_request, open_index, run_search
from tests.report_corpora import page_words, report_reviews
from tests.whoosh_reference import whoosh_matches

# Phrases the reports' DHR prose holds, and pairs that are rarely or never in a row.
PAIRS = [
    "domestic abuse",
    "risk assessment",
    "information sharing",
    "mental health",
    "professional curiosity",
    "abuse domestic",
    "health mental",
    "review agency",
]


@pytest.fixture(scope="module", params=["demo", "fixtures"])
def index(request, tmp_path_factory):
    """The demo corpus with generated reports, or the committed Word-made reports (which have
    contents pages and glossaries, demoted)."""
    reviews = report_reviews(tmp_path_factory, request.param, seed=3)
    index = tmp_path_factory.mktemp("index")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pair_words, "FREQUENT_SHARE", 2.0)  # no word is in twice every page
        build_index(index, reviews)
    h = open_index(index)
    assert not h.searcher().schema["text_pairs"].analyzer.frequent
    h.searcher().close()
    plan = SimpleNamespace(remove=[reviews[2].id], add=[reviews[2]], files={})
    update_index(index, lambda files, meta: plan)
    return index


@pytest.fixture()
def handle(index, monkeypatch):
    """A handle of its own (nothing cached by an earlier test), leaving every phrase's pages
    unread however few hold it (by default a phrase seldom in a row is read at once)."""
    monkeypatch.setattr(phrases, "SAMPLE_FROM", 0)
    monkeypatch.setattr(phrases, "SAMPLE_SHARE", 0.0)
    h = open_index(index)
    assert len(h.searcher().leaf_searchers()) >= 2
    yield h
    h.searcher().close()


def _pairs(handle, count: int, seed: int, listed: bool = False) -> list[str]:
    """Two words next to each other, or apart, drawn from the report pages' text (from
    contents pages and glossaries only, if listed)."""
    rng = random.Random(seed)
    searcher = handle.searcher()
    table = facet_table(handle.state, searcher)
    pages = [
        f["text"]
        for d, f in searcher.reader().iter_docs()
        if f.get("type") == "passage" and (not listed or d in table.listed)
    ]
    found: list[str] = []
    for words in page_words(pages, rng, r"[a-z]{4,}"):
        if len(found) == count:
            return found
        i = rng.randrange(len(words) - 10)
        j = i + 1 if rng.random() < 0.6 else i + rng.randrange(2, 10)
        if words[i] != words[j]:
            found.append(f"{words[i]} {words[j]}")
    return found


def _expected(handle, m, n: int) -> list[tuple[int, float]]:
    """The n best (docnum, score) by Whoosh's own scores of the whole query, as the results
    page orders them: contents pages demoted, filters applied, ties by docnum."""
    ids, scores = whoosh_matches(handle.searcher(), m.parsed.query)
    listed = m.table.listed
    pairs = [
        (d, s * LISTING_WEIGHT if d in listed else s)
        for d, s in zip(ids, scores, strict=True)
        if m.keep is None or m.keep(d)
    ]
    return sorted(pairs, key=lambda p: (-p[1], p[0]))[:n]


def _shown(m, start: int, count: int) -> list[tuple[int, float]]:
    docs = m.page("relevance", start, count)
    score = dict(zip(m.matched, m.scores, strict=True))
    return [(d, score[d]) for d in docs]


@pytest.mark.parametrize("filters", [{}, {"type": ["passage"]}, {"type": ["recommendation"]}])
def test_every_results_page_shows_what_the_whole_phrase_boost_ranks(handle, filters):
    seed = len(str(filters))
    queries = PAIRS + _pairs(handle, 30, seed)
    if facet_table(handle.state, handle.searcher()).listed:
        queries += _pairs(handle, 10, seed, listed=True)
    lazy_ones = shown_listed = 0
    for q in queries:
        for start, count in ((0, 1), (0, 10), (10, 10), (0, 3)):
            m = match_request(handle, SearchRequest(q=q, filters=filters), Limits(None))
            lazy_ones += m.boost is not None and bool(m.boost.at)
            want = _expected(handle, m, start + count)[start:]
            assert _shown(m, start, count) == want, (q, filters, start, count)
            shown_listed += any(d in m.table.listed for d, _s in want)
    assert lazy_ones > len(queries)  # most of them had report pages left unread
    if m.table.listed and filters.get("type") != ["recommendation"]:
        assert shown_listed > 0  # demoted contents pages and glossaries were among them


def test_the_grouped_view_and_the_export_rank_every_match_as_whoosh_does(handle):
    for q in PAIRS[:4]:
        m = match_request(handle, SearchRequest(q=q), Limits(None))
        every = m.ranked("relevance")
        assert m.boost.settled or not m.boost.at  # read, or kept whole by an earlier query
        score = dict(zip(m.matched, m.scores, strict=True))
        assert [(d, score[d]) for d in every] == _expected(handle, m, len(every))


def test_a_common_phrase_is_read_in_only_a_few_pages_for_the_first_page(handle):
    m = match_request(handle, SearchRequest(q="domestic abuse"), Limits(None))
    pending = len(m.boost.at)
    assert pending > 20
    m.page("relevance", 0, 10)
    assert not m.boost.settled  # the best pages held it in a row: the rest stayed unread
    # The quoted phrase afterwards is still exact, and a results page shows its hits.
    data = run_search(handle, SearchRequest(q='"domestic abuse"', per_page=10))
    assert data["total"] > 0 and all("<mark>" in h["highlight"] for h in data["hits"])


def test_phrases_of_four_words_and_more_match_as_whooshs(handle):
    """Four words or more: the texts holding every triple, then the words' positions (read
    only in the blocks holding those texts, which must be asked for in docnum order)."""
    from search_service.search.execute import match
    from search_service.search.parse import parse_query

    rng = random.Random(4)
    searcher = handle.searcher()
    texts = [f["text"] for _d, f in searcher.reader().iter_docs() if f.get("type") != "passage"]
    tried = 0
    for text in rng.sample(texts, min(40, len(texts))):
        words = re.findall(r"[a-z]+", text.lower())
        if len(words) < 8:
            continue
        i = rng.randrange(len(words) - 5)
        q = parse_query(searcher.schema, '"' + " ".join(words[i : i + rng.choice((4, 5))]) + '"')
        ids, scores = match(searcher, handle.state, q.query)
        assert dict(zip(ids, scores, strict=True)) == dict(
            zip(*whoosh_matches(searcher, q.query), strict=True)
        )
        tried += bool(ids)
    assert tried > 10


def test_a_pair_seldom_in_a_row_is_read_at_once_and_a_common_phrase_is_left_unread(
    index, monkeypatch
):
    """Only a phrase that many sampled pages hold can be settled by its best pages; one that
    few hold would be read in every page anyway, so it is read at once, as before."""
    monkeypatch.setattr(phrases, "SAMPLE_FROM", 8)
    h = open_index(index)
    try:
        common = match_request(h, SearchRequest(q="domestic abuse"), Limits(None))
        seldom = match_request(h, SearchRequest(q="abuse domestic"), Limits(None))
        assert common.boost.at and not seldom.boost.at
        for m in (common, seldom):
            assert _shown(m, 0, 10) == _expected(h, m, 10)
    finally:
        h.searcher().close()

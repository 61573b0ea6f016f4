"""Report pages' pairs of frequent words: a phrase of two of them is one lookup, and exact.

What a user sees must not change: a phrase typed in quotes, and a two-word search (which
ranks its phrase higher), find the same pages with the same scores as Whoosh's own
matchers reading every position. The index is the demo corpus with a report PDF of several
pages beside each review, or the committed Word-made reports, in two segments (an
`--update` re-added one review, which keeps the first build's frequent words).
"""

from __future__ import annotations

import os
import pickle
import random
import re
import time
from types import SimpleNamespace

import pytest

from search_service.analysis import pairs as pairs_module
from search_service.analysis.pairs import PairAnalyzer, common_pairs, frequent_words
from search_service.analysis.shingles import ShingleAnalyzer
from search_service.index.schema import build_schema
from search_service.index.writer import build_index, update_index
from search_service.search import phrases
from search_service.search.execute import match
from search_service.search.parse import parse_query
from search_service.search.service import open_index
from tests.report_corpora import FIXTURES, page_words, report_reviews
from tests.whoosh_reference import whoosh_matches

FREQUENT = {"domest", "abus", "risk", "assess", "agenc"}
TEXT = "Domestic abuse and a risk assessment; risk of domestic abuse. Agency."
# "and"/"a"/"of" are stop words: they take no position, so the words around them meet.
IN_A_ROW = {"domest abus", "abus risk", "risk assess", "assess risk", "risk domest", "abus agenc"}


def test_a_page_holds_the_pairs_of_its_frequent_words_in_a_row():
    analyzer = PairAnalyzer(FREQUENT, IN_A_ROW)
    assert analyzer.pairs(TEXT) == IN_A_ROW
    assert [t.text for t in analyzer(TEXT)] == sorted(IN_A_ROW)
    assert all(analyzer.exact(*p.split()) for p in IN_A_ROW)
    assert PairAnalyzer().pairs(TEXT) == set()


def test_a_pair_that_is_not_common_is_in_its_bucket():
    analyzer = PairAnalyzer(FREQUENT, {"domest abus"})
    buckets = analyzer.pairs(TEXT) - {"domest abus"}
    assert 1 <= len(buckets) <= 5 and all(re.fullmatch(r"#\d+", b) for b in buckets)
    assert analyzer.term("risk", "assess") in buckets
    assert analyzer.term("risk", "assess") == PairAnalyzer(FREQUENT).term("risk", "assess")
    assert not analyzer.exact("risk", "assess") and analyzer.exact("domest", "abus")
    assert len({analyzer.term(a, b) for a in "abcdefgh" for b in "abcdefgh"}) > 50


def test_common_pairs_are_those_of_several_sampled_pages():
    pages = ["Domestic abuse was known to the agency.", "Domestic abuse: the agency knew."]
    pages += ["Agency risk.", "Risk agency of domestic abuse"]
    assert common_pairs(pages, frozenset(FREQUENT)) == {"domest abus"}
    assert common_pairs(pages, frozenset({"agenc", "risk"})) == set()  # in one page each
    assert common_pairs(pages + ["agency risk"], frozenset({"agenc", "risk"})) == {"agenc risk"}


def test_pairs_are_the_two_word_shingles_of_frequent_words():
    """The same rule as the shingles of recommendations: compounds put several words at one
    position, and every combination counts."""
    text = "A multi-agency risk assessment by multiagency partners: multi agency risk."
    shingles = {s for s in ShingleAnalyzer().shingles(text) if s.count(" ") == 1}
    words = {w for s in shingles for w in s.split()}
    assert len(shingles) > 4
    assert PairAnalyzer(words, shingles).pairs(text) == shingles
    assert PairAnalyzer(words - {"risk"}, shingles).pairs(text) == {
        s for s in shingles if "risk" not in s.split()
    }


def test_the_words_the_text_field_recorded_give_the_same_pairs():
    text = (FIXTURES / "README.md").read_text()
    analyzer = PairAnalyzer(frequent_words([text[i : i + 400] for i in range(0, 8000, 400)]))
    fresh = analyzer.pairs(text)
    field = build_schema()["text"]
    list(field.index(text))  # records its analysed words, as the build does before the pairs
    assert pairs_module._recorded.value is text
    assert analyzer.pairs(text) == fresh and fresh
    assert analyzer.pairs(text.encode().decode()) == fresh  # another string: analysed afresh


def test_a_document_pickled_for_a_writer_process_keeps_one_string_for_both_fields():
    text = "Domestic abuse " * 10
    doc = pickle.loads(pickle.dumps((0, {"text": text, "text_pairs": text}), 2))[1]
    assert doc["text"] is doc["text_pairs"]


def test_the_frequent_words_are_the_analysed_words_of_many_pages():
    pages = ["Domestic abuse was known."] * 30 + ["Agencies shared information."] * 70
    assert frequent_words(pages) == {"domest", "abus", "known", "agenc", "share", "inform"}
    assert frequent_words(pages + ["rare words"] * 2) >= {"domest", "agenc"}
    assert "rare" not in frequent_words(pages + ["rare words"] * 2)
    assert frequent_words([]) == frozenset()


def test_the_analyzer_keeps_its_frequent_words_when_pickled_with_the_schema():
    schema = pickle.loads(pickle.dumps(build_schema({"domest", "abus"}, {"domest abus"})))
    assert schema["text_pairs"].analyzer.frequent == {"domest", "abus"}
    assert schema["text_pairs"].analyzer == PairAnalyzer({"abus", "domest"}, {"domest abus"})
    assert schema["text_pairs"].analyzer != PairAnalyzer({"abus", "domest"})


@pytest.fixture(scope="module", params=["demo", "fixtures"])
def index(request, tmp_path_factory):
    reviews = report_reviews(tmp_path_factory, request.param, seed=5)
    index = tmp_path_factory.mktemp("index")
    build_index(index, reviews)
    plan = SimpleNamespace(remove=[reviews[1].id], add=[reviews[1]], files={})
    update_index(index, lambda files, meta: plan)
    return index


@pytest.fixture()
def handle(index):
    """A handle of its own, warm (the warm-up's own phrases read positions meanwhile)."""
    h = open_index(index)
    assert len(h.searcher().leaf_searchers()) >= 2
    deadline = time.monotonic() + 60
    while not h.warm and time.monotonic() < deadline:
        time.sleep(0.05)
    assert h.warm
    yield h
    h.searcher().close()


def _page_runs(handle, count: int, seed: int) -> list[list[str]]:
    """Runs of two to four words of the report pages, in a row or apart."""
    rng = random.Random(seed)
    pages = [
        f["text"] for _d, f in handle.searcher().reader().iter_docs() if f.get("type") == "passage"
    ]
    found: list[list[str]] = []
    for words in page_words(pages, rng):
        if len(found) == count:
            return found
        i = rng.randrange(len(words) - 10)
        size = rng.choice((2, 2, 3, 4))
        if rng.random() < 0.7:
            found.append(words[i : i + size])
        else:
            found.append([words[i + rng.randrange(0, 8)] for _ in range(size)])
    return found


def test_the_frequent_words_are_chosen_once_and_kept_by_updates(handle):
    frequent = handle.searcher().schema["text_pairs"].analyzer.frequent
    assert 20 < len(frequent) <= pairs_module.FREQUENT_MAX
    # Two words every report page of these corpora uses often.
    assert {"agenc", "review"} & frequent


def test_phrases_and_two_word_searches_match_as_whooshs_reading_every_position(handle, monkeypatch):
    read: list[int] = []
    line_up = phrases.positions_line_up

    def counting(seg, fieldname, terms, candidates):
        candidates = list(candidates)
        if fieldname == "text":
            read.append(len(candidates))
        return line_up(seg, fieldname, terms, candidates)

    monkeypatch.setattr(phrases, "positions_line_up", counting)
    searcher = handle.searcher()
    pairs = searcher.schema["text_pairs"].analyzer
    analyzer = searcher.schema["text"].analyzer
    one_lookup = narrowed = bucketed = 0
    for words in _page_runs(handle, 80, seed=7):
        stems = [t.text for t in analyzer(" ".join(words))]
        pairs_of_frequent = len(stems) > 1 and all(s in pairs.frequent for s in stems)
        for text in ('"' + " ".join(words) + '"', " ".join(words[:2])):
            q = parse_query(searcher.schema, text).query
            del read[:]
            ids, scores = match(searcher, handle.state, q)
            assert dict(zip(ids, scores, strict=True)) == dict(
                zip(*whoosh_matches(searcher, q), strict=True)
            ), text
            if pairs_of_frequent and len(stems) == 2 and pairs.exact(*stems):
                assert not read, text  # one common pair: no positions read in any text
                one_lookup += bool(ids)
            elif pairs_of_frequent and len(stems) == 2:
                bucketed += bool(read)  # its bucket's pages, read
            elif pairs_of_frequent and read:
                narrowed += 1
    assert one_lookup > 10
    assert narrowed > 0
    assert bucketed > 0


def test_a_page_holding_a_longer_phrases_pairs_apart_does_not_match_it(handle):
    """Three frequent words: the pages holding both pairs are only candidates, and their
    positions decide (a page may hold "a b" and "b c" but never "a b c")."""
    from whoosh.query import Phrase

    searcher = handle.searcher()
    frequent = searcher.schema["text_pairs"].analyzer.frequent
    analyzer = searcher.schema["text"].analyzer
    tried = 0
    for docnum, fields in searcher.reader().iter_docs():
        if fields.get("type") != "passage":
            continue
        at = {}
        for t in analyzer(fields["text"], positions=True):
            at[t.pos] = t.text
        in_a_row = {(at.get(p), at.get(p + 1), at.get(p + 2)) for p in at}
        pairs = {(at[p], at[p + 1]) for p in at if p + 1 in at}
        for a, b in pairs:
            for b2, c in pairs:
                if b2 != b or (a, b, c) in in_a_row or not {a, b, c} <= frequent:
                    continue
                q = Phrase("text", [a, b, c])
                ids, scores = match(searcher, handle.state, q)
                assert docnum not in ids
                assert dict(zip(ids, scores, strict=True)) == dict(
                    zip(*whoosh_matches(searcher, q), strict=True)
                )
                tried += 1
        if tried > 20:
            break
    assert tried > 20


def test_the_frequent_words_are_the_same_in_every_process():
    """Ties at the cut are broken by the word, not by the order of a set (hash-seeded)."""
    import subprocess
    import sys

    code = (
        "from search_service.analysis import pairs; pairs.FREQUENT_MAX = 7; "
        "print(sorted(pairs.frequent_words(['alpha beta gamma delta epsilon zeta eta theta "
        "iota kappa lambda mu'] * 3)))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            check=True,
        ).stdout
        for seed in range(6)
    }
    assert len(seen) == 1 and seen.pop().count("'") == 14


def test_the_sample_is_the_first_reviews_up_to_its_pages_and_no_more_reviews():
    from search_service.index.writer import _first_pages

    with_pages = [SimpleNamespace(passages=[None] * 150) for _ in range(10)]
    assert len(_first_pages(iter(with_pages), pairs_module.SAMPLE_PAGES)) == 3
    summaries = iter([SimpleNamespace(passages=[]) for _ in range(500)])
    assert len(_first_pages(summaries, pairs_module.SAMPLE_PAGES)) == 50
    assert len(list(summaries)) == 450  # the rest still to come, in order

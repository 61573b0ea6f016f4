"""Snippets as users see them; the fast word-by-word analysis marks what the chain marks."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index as windex
from whoosh.analysis import CompositeAnalyzer, StandardAnalyzer

from search_service.analysis.filters import (
    compound_table,
    spelling_analyzer,
    spelling_table,
    stop_words,
    text_analyzer,
)
from search_service.analysis.tokenizer import NltkTokenizer
from search_service.corpus.folder import read_corpus
from search_service.index.schema import build_schema, review_documents
from search_service.index.versions import current_version
from search_service.search.highlight import (
    SNIPPET_CHARS,
    MarkTerms,
    _mark_spans_reference,
    _positions,
    _positions_reference,
    _snippet_from_spans,
    mark_spans,
    snippet,
    terms_to_mark,
)
from search_service.search.parse import parse_query
from search_service.search.word_memo import _memo, fast_path_supported, frequent_words, warm_words

ROOT = Path(__file__).resolve().parent.parent
ANALYZER = text_analyzer()
SCHEMA = build_schema()

PLAIN = [
    *("risk", "assessment", "assessments", "domestic", "abuse", "victim", "police", "agency"),
    *("agencies", "review", "safeguarding", "children", "MARAC", "IDVA", "law", "being", "care"),
    *("health", "mental", "one", "based", "working", "meeting", "conference", "follow", "up"),
    *("size", "prize", "citizen", "capsized", "İstanbul", "ΟΔΟΣ", "straße", "naïve", "x", "é"),
]
HYPHENATED = [
    *("multi-agency", "one-to-one", "honor-based", "honour-based", "co-ordination", "well-being"),
    *("a-the", "to-the", "self-harm", "follow-up", "x-ray", "Multi-Agency", "re-offend-ing"),
    *("multi\u2010agency", "well\u2011being", "co\u2010ordinated", "o'brien-smith", "1-2"),
]
APOSTROPHES = [
    *("Clare's", "Clare’s", "Clares", "o'brien", "O’Brien's", "it's", "don't", "rock'n'roll"),
    *("victim's", "agencies’", "ʼtwas", "A&E", "R&D's"),
]
VOCAB = sorted(
    {
        *PLAIN,
        *HYPHENATED,
        *APOSTROPHES,
        *stop_words(),
        *compound_table(),
        *(" ".join(parts) for parts in compound_table().values()),
        *list(spelling_table())[:60],
        *list(spelling_table().values())[:60],
        *("organize", "organization", "organizational", "analyzed", "recognizing", "paralyze"),
        *("2020", "3rd", "1st", "20mg", "0"),
    }
)
SEPARATORS = [
    *(" ", " ", " ", "  ", ", ", ". ", " - ", "-", "\n", "\t", "—", " ‘", "’ ", "(", ") "),
    *(" & ", "&", "<script>", "</mark>", "\u2010", "\u2011", "'", "’", "/", "...", '"', ""),
]

PAIRS = sorted(parts for parts in compound_table().values() if len(parts) == 2)
# CompoundFilter pairs two words across stop words too: StopFilter renumbers them away first.
spaced_pair_strategy = st.tuples(
    st.sampled_from(PAIRS), st.lists(st.sampled_from(sorted(stop_words())), max_size=2)
).map(lambda pair_stops: " ".join([pair_stops[0][0], *pair_stops[1], pair_stops[0][1]]))
word_strategy = st.one_of(
    st.sampled_from(VOCAB),
    spaced_pair_strategy,
    st.sampled_from(VOCAB).map(str.upper),
    st.sampled_from(VOCAB).map(str.title),
    st.text(max_size=6),
)
text_strategy = st.lists(st.tuples(word_strategy, st.sampled_from(SEPARATORS)), max_size=40).map(
    lambda parts: "".join(w + sep for w, sep in parts)
)


def _query_forms(phrase: str) -> list[str]:
    return [t.text for t in ANALYZER(phrase, mode="query")]


VOCAB_FORMS = sorted({form for w in VOCAB for form in _query_forms(w)})


def _marks_for(text: str, data) -> MarkTerms:
    """Words and phrases to mark: some that the text holds, some from the vocabulary."""
    by_pos = _positions_reference(text, ANALYZER)
    in_text = sorted({w for toks in by_pos.values() for w, _, _ in toks})
    forms = st.sampled_from(in_text + VOCAB_FORMS) if in_text else st.sampled_from(VOCAB_FORMS)
    words = set(data.draw(st.lists(forms, max_size=4)))
    phrases = data.draw(st.lists(st.lists(forms, min_size=1, max_size=3), max_size=2))
    phrases += [_query_forms(p) for p in data.draw(st.lists(st.sampled_from(VOCAB), max_size=2))]
    # Phrases the text really holds: one word at each of a few successive positions.
    positions = sorted(by_pos)
    for _ in range(data.draw(st.integers(0, 3)) if positions else 0):
        start = data.draw(st.sampled_from(positions))
        length = data.draw(st.integers(1, 4))
        run = [by_pos.get(p) for p in range(start, start + length)]
        run = run[: run.index(None)] if None in run else run
        phrases.append([data.draw(st.sampled_from(toks))[0] for toks in run])
    return MarkTerms(words, phrases)


def assert_same_marks(text: str, marks: MarkTerms, analyzer=ANALYZER) -> None:
    reference = _mark_spans_reference(text, analyzer, marks)
    assert mark_spans(text, analyzer, marks) == reference
    for whole in (False, True):
        assert snippet(text, analyzer, marks, whole) == _snippet_from_spans(text, reference, whole)


def assert_same_positions(text: str, forget: bool) -> None:
    reference = list(_positions_reference(text, ANALYZER).items())
    if forget:
        _memo.clear()  # every word of text is new: analysed together in one run of the chain
    assert list(_positions(text, ANALYZER).items()) == reference
    assert list(_positions(text, ANALYZER).items()) == reference  # every word memoised


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=text_strategy, forget=st.booleans(), data=st.data())
def test_fast_marks_equal_the_full_analyzers_marks(text, forget, data):
    # The whole by-position map, not just what some marks happen to pick out of it.
    assert_same_positions(text, forget)
    assert_same_marks(text, _marks_for(text, data))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200), forget=st.booleans(), data=st.data())
def test_fast_marks_equal_on_arbitrary_text(text, forget, data):
    assert_same_positions(text, forget)
    assert_same_marks(text, _marks_for(text, data))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=text_strategy, forget=st.booleans(), data=st.data())
def test_words_without_phrases_are_marked_from_the_texts_distinct_words(text, forget, data):
    # Marks without phrases take the distinct-words path; its snippets equal the chain's.
    if forget:
        _memo.clear()
    marks = MarkTerms(_marks_for(text, data).words, [])
    reference = _mark_spans_reference(text, ANALYZER, marks)
    for whole in (False, True):
        assert snippet(text, ANALYZER, marks, whole) == _snippet_from_spans(text, reference, whole)


def test_a_compound_joined_over_two_words_is_marked_by_the_chain():
    text = "Agencies met. The multi agency risk meeting was held; a multiagency plan followed."
    for word in ("multiag", "multiagency", "multi", "agenc"):
        marks = MarkTerms({t.text for t in ANALYZER(word, mode="query")}, [])
        reference = _mark_spans_reference(text, ANALYZER, marks)
        assert snippet(text, ANALYZER, marks, True) == _snippet_from_spans(text, reference, True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(text_strategy, min_size=2, max_size=12), data=st.data())
def test_a_long_texts_window_reads_only_as_far_as_it_shows_and_equals_the_whole(parts, data):
    # Report pages are longer than two snippets: their window is marked from a prefix.
    filler = "the review found no record of that call in the agency's notes. " * 14
    pieces = [*parts, filler]
    order = data.draw(st.permutations(range(len(pieces))))
    text = " ".join(pieces[i] for i in order)
    assert len(text) > 2 * SNIPPET_CHARS
    marks = _marks_for(text, data)
    reference = _mark_spans_reference(text, ANALYZER, marks)
    assert snippet(text, ANALYZER, marks) == _snippet_from_spans(text, reference, False)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=text_strategy, data=st.data())
def test_words_warmed_ahead_mark_as_the_full_analyzer_does(text, data):
    # Warm-up memoises the lexicon's words in batches, before any text shows them.
    _memo.clear()
    words = data.draw(st.lists(word_strategy, max_size=30))
    assert warm_words(ANALYZER, words) == len(set(words))
    assert_same_positions(text, forget=False)
    assert_same_marks(text, _marks_for(text, data))


def test_warming_words_leaves_room_for_the_words_met_later(monkeypatch):
    from search_service.search import word_memo

    monkeypatch.setattr(word_memo, "MEMO_WORDS", 20)
    _memo.clear()
    assert warm_words(ANALYZER, [f"word{i}" for i in range(50)]) == 10
    assert warm_words(ANALYZER, ["another"]) == 0
    (memo,) = _memo.values()
    assert "word0" in memo and "word10" not in memo
    _memo.clear()


QUERIES = [
    *("risk assessment", '"risk assessment"', '"multi agency"', "multi-agency", "multiagency"),
    *('"domestic abuse"', "domestic abuse", "Clare's Law", "co-ordination", "coordination"),
    *("behavior", "well-being", '"well being"', "honor based violence", '"one to one"', "MARAC"),
    *("safeguarding children", '"mental health"', '"health care"', "healthcare", "follow-up"),
    *("IDVA referral", '"information sharing"', "GP", "police -victim", "organization"),
    *('"the victim"', "ex-partner", "coercive control", '"domestic homicide review"', "2020"),
]


@pytest.fixture(scope="module")
def demo_texts() -> list[str]:
    reviews = read_corpus(ROOT / "corpus" / "demo").reviews
    texts = [d["text"] for r in reviews for d in review_documents(r) if d.get("text")]
    assert len(texts) > 500
    return texts


@pytest.fixture(scope="module")
def demo_positions(demo_texts) -> dict[str, dict]:
    """The full analyzer's by-position map of every demo text, computed once."""
    return {text: _positions_reference(text, ANALYZER) for text in demo_texts}


def test_demo_corpus_position_maps_are_identical(demo_texts, demo_positions):
    for text in demo_texts:
        assert list(_positions(text, ANALYZER).items()) == list(demo_positions[text].items())


@pytest.mark.parametrize("query", QUERIES)
def test_demo_corpus_snippets_are_identical(demo_texts, query):
    marks = terms_to_mark(parse_query(SCHEMA, query).query, None)
    assert marks
    for text in demo_texts:
        assert_same_marks(text, marks)


def test_demo_corpus_marks_something_for_compounds_and_phrases(demo_texts):
    # The equality above means little if nothing is ever marked.
    for query in ('"multi agency"', '"risk assessment"', "multiagency", '"domestic abuse"'):
        marks = terms_to_mark(parse_query(SCHEMA, query).query, None)
        assert any("<mark>" in snippet(t, ANALYZER, marks) for t in demo_texts), query


def whole(text: str, query: str) -> str:
    return snippet(text, ANALYZER, terms_to_mark(parse_query(SCHEMA, query).query, None), True)


def test_a_phrase_is_marked_where_it_occurs_not_each_of_its_words():
    text = "The risk was high. A risk assessment was done; the assessment was late."
    assert whole(text, '"risk assessment"') == (
        "The risk was high. A <mark>risk assessment</mark> was done; the assessment was late."
    )


def test_every_spelling_of_a_compound_is_marked_as_written():
    text = "Effective multi-agency working; a multi agency meeting; multiagency, Multi‐Agency."
    assert whole(text, "multiagency") == (
        "Effective <mark>multi-agency</mark> working; a <mark>multi agency</mark> meeting;"
        " <mark>multiagency</mark>, <mark>Multi‐Agency</mark>."
    )


def test_a_spaced_compound_across_a_stop_word_is_marked_like_the_full_analyzer_does():
    # StopFilter renumbers before CompoundFilter, so "multi the agency" reads as a pair.
    text = "A multi, the agency review."
    assert whole(text, "multiagency") == "A <mark>multi, the agency</mark> review."


def test_a_phrase_is_marked_whichever_apostrophe_it_is_written_with():
    text = "Officers should use Clare’s Law and the Clare's law scheme."
    assert whole(text, "Clare's Law") == (
        "Officers should use <mark>Clare’s Law</mark> and the <mark>Clare&#x27;s law</mark> scheme."
    )


def test_markup_in_the_text_stays_escaped_and_only_mark_is_live():
    text = 'Stop <script>alert("x")</script> & <mark>now</mark>'
    out = whole(text, "script")
    assert out == (
        "Stop &lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt;"
        " &amp; &lt;mark&gt;now&lt;/mark&gt;"
    )
    assert re.sub(r"</?mark>", "", out).count("<") == 0


def test_window_starts_near_the_first_mark():
    text = ("Background words here. " * 20) + "A multi-agency risk assessment conference."
    out = snippet(text, ANALYZER, terms_to_mark(parse_query(SCHEMA, "MARAC").query, None))
    assert out.startswith("… ") and "<mark>multi-agency risk assessment conference</mark>" in out


def test_the_production_analyzer_takes_the_fast_path(index_dir):
    # Whoosh unpickles the schema from the index: that analyzer must not fall back.
    assert fast_path_supported(text_analyzer())
    assert fast_path_supported(pickle.loads(pickle.dumps(text_analyzer())))
    ix = windex.open_dir(str(index_dir / current_version(index_dir)))
    assert fast_path_supported(ix.schema["text"].analyzer)


@pytest.mark.parametrize("analyzer", [StandardAnalyzer(), spelling_analyzer()])
def test_other_analyzers_mark_what_they_always_did(analyzer):
    assert not fast_path_supported(analyzer)
    text = "The Multi-Agency risk assessments of Clare's Law, multi agency."
    marks = MarkTerms({"risk", "clare", "multi-agency"}, [["risk", "assessments"]])
    assert mark_spans(text, analyzer, marks) == _mark_spans_reference(text, analyzer, marks)
    assert mark_spans(text, analyzer, marks)


def test_no_marks_or_no_analyzer_mark_nothing():
    assert snippet("<b>x</b>", None, MarkTerms()) == "&lt;b&gt;x&lt;/b&gt;"
    assert mark_spans("", ANALYZER, MarkTerms({"x"})) == []


def test_words_that_tokenize_otherwise_alone_fall_back_to_the_full_analyzer():
    # With this pattern "ab" is one token before a full stop but two on its own.
    analyzer = CompositeAnalyzer(NltkTokenizer(r"\w+(?=\.)|\w"), *text_analyzer().items[1:])
    assert fast_path_supported(analyzer)
    text = "ab. cd. multi agency risk assessment."
    assert list(_positions(text, analyzer).items()) == list(
        _positions_reference(text, analyzer).items()
    )
    assert any(words.get("ab") is False for words in _memo.values())  # it did fall back
    marks = MarkTerms({"cd", "a", "m"}, [["risk", "assessment"]])
    assert mark_spans(text, analyzer, marks) == _mark_spans_reference(text, analyzer, marks)
    assert mark_spans(text, analyzer, marks)


def test_opening_a_version_memoises_its_lexicons_words(index_dir):
    from search_service.index.state import VersionState
    from search_service.search.service import open_index
    from search_service.search.warm import warm_state

    searcher = open_index(index_dir).searcher()
    _memo.clear()
    warm_state(searcher, VersionState())
    (memo,) = _memo.values()
    assert {"forensic", "Forensic", "curiosity", "Curiosity"} <= memo.keys()
    searcher.close()


def test_the_words_pages_print_most_often_come_first_as_written():
    texts = ["The IDVA met the victim.", "The IDVA, the GP and the victim's sister.", "Victim"]
    words = frequent_words(ANALYZER, texts, 3)
    assert words == ["the", "The", "IDVA"]  # as written: "The" and "the" are two words
    assert frequent_words(StandardAnalyzer(), texts, 3) == []  # another chain: none

"""The analyzer in a real Whoosh index: variant spellings, compounds and apostrophes meet."""

from __future__ import annotations

import pickle

import pytest
from whoosh import highlight
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import QueryParser

from search_service.analysis.filters import (
    analysis_fingerprint,
    compound_table,
    fold_spelling,
    spelling_table,
    text_analyzer,
)

DOCS = {
    "hyphen": "Effective multi-agency working was absent.",
    "joined": "The multiagency meeting did not take place.",
    "spaced": "A multi agency review was never convened.",
    "coord_hyphen": "Better co-ordination of services is needed.",
    "coord_joined": "Improve coordination between teams.",
    "uk": "The organisation recognised controlling behaviour and offered counselling.",
    "us": "The organization recognized controlling behavior and offered counseling.",
    "uk2": "A programme of training on professional judgement, focussed on licence holders.",
    "us2": "A program of training on professional judgment, focused on license holders.",
    "clare_straight": "Officers should use Clare's Law more often.",
    "clare_curly": "Officers should use Clare’s Law more often.",
    "clare_plain": "Awareness of Clares Law was low.",
    "honour": "Training on honor-based abuse for frontline staff.",
    "wellbeing": "Staff well-being matters.",
    "wellbeing_joined": "Wellbeing checks were not done.",
}


@pytest.fixture(scope="module")
def index():
    text = TEXT(analyzer=text_analyzer(), phrase=True, stored=True)
    schema = Schema(id=ID(stored=True), text=text)
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        for doc_id, text in DOCS.items():
            w.add_document(id=doc_id, text=text)
    return ix


def found(ix, query: str) -> set[str]:
    with ix.searcher() as s:
        q = QueryParser("text", ix.schema).parse(query)
        return {hit["id"] for hit in s.search(q, limit=None)}


def test_analyzer_and_schema_pickle_round_trip(index):
    analyzer = pickle.loads(pickle.dumps(text_analyzer()))
    assert [t.text for t in analyzer("Multi-agency behaviour")] == [
        t.text for t in text_analyzer()("Multi-agency behaviour")
    ]
    schema = pickle.loads(pickle.dumps(index.schema))
    assert [t.text for t in schema["text"].analyzer("organizations")] == ["organis"]


@pytest.mark.parametrize("query", ["multi-agency", "multiagency", "multi agency", '"multi agency"'])
def test_every_form_of_multi_agency_finds_all_three(index, query):
    assert found(index, query) >= {"hyphen", "joined", "spaced"}


@pytest.mark.parametrize(
    "query, expected",
    [
        ('"effective multi agency working"', {"hyphen"}),
        ('"effective multiagency working"', {"hyphen"}),
        ('"effective multi-agency working"', {"hyphen"}),
        ('"a multiagency review"', {"spaced"}),
        ('"multiagency meeting"', {"joined"}),
        ('"multi-agency meeting"', {"joined"}),
        ('"multi agency meeting"', {"joined"}),
        ('"multi-agency review"', {"spaced"}),
    ],
)
def test_phrases_meet_compounds_from_either_side(index, query, expected):
    assert found(index, query) == expected


@pytest.mark.parametrize("query", ["co-ordination", "coordination", "coordinate", "co-ordinated"])
def test_coordination_forms_meet(index, query):
    assert found(index, query) == {"coord_hyphen", "coord_joined"}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("organisation", {"uk", "us"}),
        ("organizations", {"uk", "us"}),
        ("organizational", {"uk", "us"}),
        ("recognize", {"uk", "us"}),
        ("behavioural", {"uk", "us"}),
        ("behaviors", {"uk", "us"}),
        ('"controlling behavior"', {"uk", "us"}),
        ("counseling", {"uk", "us"}),
        ("counselled", {"uk", "us"}),
        ("programme", {"uk2", "us2"}),
        ("programs", {"uk2", "us2"}),
        ("judgment", {"uk2", "us2"}),
        ("focussed", {"uk2", "us2"}),
        ("focusing", {"uk2", "us2"}),
        ("license", {"uk2", "us2"}),
        ("licences", {"uk2", "us2"}),
        ("honour-based", {"honour"}),
        ('"honour based"', {"honour"}),
    ],
)
def test_british_and_american_spellings_meet(index, query, expected):
    assert found(index, query) == expected


@pytest.mark.parametrize("query", ["Clare's Law", "Clare’s Law", "Clares Law", '"clares law"'])
def test_apostrophe_forms_meet(index, query):
    assert found(index, query) == {"clare_straight", "clare_curly", "clare_plain"}


@pytest.mark.parametrize("query", ["well-being", "wellbeing", '"well being"'])
def test_wellbeing_forms_meet(index, query):
    assert found(index, query) == {"wellbeing", "wellbeing_joined"}


def highlights(ix, query: str, doc_id: str) -> str:
    with ix.searcher() as s:
        q = QueryParser("text", ix.schema).parse(query)
        results = s.search(q, limit=None)
        results.formatter = highlight.UppercaseFormatter()
        results.fragmenter = highlight.WholeFragmenter()
        (hit,) = [h for h in results if h["id"] == doc_id]
        return hit.highlights("text")


@pytest.mark.parametrize(
    "query, doc_id, marked",
    [
        ("multiagency", "hyphen", "MULTI-AGENCY"),
        ("multi-agency", "spaced", "MULTI AGENCY"),
        ("multi-agency", "joined", "MULTIAGENCY"),
        ("organization", "uk", "ORGANISATION"),
        ("behaviour", "us", "BEHAVIOR"),
        ("Clares", "clare_curly", "CLARE’S"),
        ("coordination", "coord_hyphen", "CO-ORDINATION"),
    ],
)
def test_highlights_mark_the_words_as_written(index, query, doc_id, marked):
    text = highlights(index, query, doc_id)
    assert marked in text
    assert text.lower() == DOCS[doc_id].lower()


def test_token_offsets_always_point_at_the_original_text():
    text = "Honor-based abuse, O’Brien-Smith’s multi agency co-ordination at the health care centre"
    for t in text_analyzer()(text, positions=True, chars=True, mode="index"):
        span = text[t.startchar : t.endchar]
        assert span and span.strip() == span, (t.text, span)


def test_positions_never_decrease_for_a_term():
    seen: dict[str, int] = {}
    for t in text_analyzer()("multi-agency multi agency co-ordination multiagency", positions=True):
        assert t.pos >= seen.get(t.text, -1)
        seen[t.text] = t.pos


def test_query_mode_gives_one_term_per_hyphenated_word():
    assert [t.text for t in text_analyzer()("multi-agency", mode="query")] == ["multiag"]


@pytest.mark.parametrize(
    "word, folded",
    [
        ("organization", "organisation"),
        ("organizational", "organisational"),
        ("recognized", "recognised"),
        ("analyzing", "analysing"),
        ("size", "size"),
        ("prize", "prize"),
        ("seized", "seized"),
        ("capsized", "capsized"),
        ("citizen", "citizen"),
        ("honor-based", "honour-based"),
    ],
)
def test_ize_rule_folds_suffixes_only_where_safe(word, folded):
    assert fold_spelling(word) == folded


def test_data_tables_are_consistent():
    table = spelling_table()
    # A canonical form must not itself be a variant, or folding would not be idempotent.
    assert not set(table.values()) & set(table)
    assert all("".join(parts) == joined for joined, parts in compound_table().items())
    assert len(analysis_fingerprint()) == 12


def test_stems_are_nltks_shared_by_every_analyzer_and_bounded(monkeypatch):
    from nltk.stem.snowball import SnowballStemmer

    from search_service.analysis import filters as analysis

    monkeypatch.setattr(analysis, "STEM_MEMO", 3)
    analysis._stems.clear()
    words = ["reviews", "reviewing", "agencies", "safeguarding", "recommendations", "reviews"]
    assert [analysis.snowball_stem(w) for w in words] == [
        SnowballStemmer("english").stem(w) for w in words
    ]
    assert 0 < len(analysis._stems) <= 3
    analysis._stems.clear()

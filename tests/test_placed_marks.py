"""Marks placed at the index's positions equal the full analyzer's, or are not placed at all."""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_highlight import ANALYZER, QUERIES, SCHEMA, _marks_for, text_strategy
from whoosh import index as windex

from search_service.index.versions import current_version
from search_service.search.highlight import (
    MarkTerms,
    _mark_spans_reference,
    _snippet_from_spans,
    _spans_at,
    snippet,
    terms_to_mark,
)
from search_service.search.parse import parse_query
from search_service.search.placed_marks import placed_positions
from search_service.search.word_memo import _joined_forms, _memo

PAGE = (
    "The victim’s GP made a referral to the IDVA service. Multi-agency risk assessment "
    "conference (MARAC) minutes show the risk was discussed; the police risk assessment, "
    "done twice, was not shared.\nAgencies should show professional curiosity: "
    "“forensic curiosity” means asking again. Co-ordination with Children’s Services "
    "and the GP was poor; the GP's notes, and the victim's sister, said so."
)


def index_positions(text: str) -> dict[str, list[int]]:
    """token -> its positions, one per occurrence, as indexing text gives them."""
    found: dict[str, list[int]] = {}
    for t in ANALYZER(text, positions=True, mode="index"):
        found.setdefault(t.text, []).append(t.pos)
    return found


def assert_placed_as_the_chain_marks(text: str, marks: MarkTerms) -> bool:
    """Placed marks (when placed) are the chain's, and the snippet is the chain's either way;
    whether they were placed."""
    reference = _mark_spans_reference(text, ANALYZER, marks)
    positions = index_positions(text)
    wanted = marks.words.union(*marks.phrases)
    placed = placed_positions(text, ANALYZER, wanted, positions)
    if placed is not None:
        assert sorted(_spans_at(placed, marks)) == sorted(reference)
    for whole in (False, True):
        shown = snippet(text, ANALYZER, marks, whole, positions=positions)
        assert shown == _snippet_from_spans(text, reference, whole)
    return placed is not None


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=text_strategy, forget=st.booleans(), data=st.data())
def test_placed_marks_equal_the_full_analyzers_marks(text, forget, data):
    if forget:
        _memo.clear()  # no spelling known: the token's first letters find its words
    assert_placed_as_the_chain_marks(text, _marks_for(text, data))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200), data=st.data())
def test_placed_marks_equal_on_arbitrary_text(text, data):
    assert_placed_as_the_chain_marks(text, _marks_for(text, data))


@pytest.mark.parametrize("query", QUERIES)
def test_a_report_page_is_marked_from_the_index_as_the_chain_marks_it(query):
    marks = terms_to_mark(parse_query(SCHEMA, query).query, None)
    placed = assert_placed_as_the_chain_marks(PAGE, marks)
    # Only a compound joined over two spaced words ("multi agency") is left to the chain.
    joined = marks.words.union(*marks.phrases) & _joined_forms(ANALYZER)
    assert placed != bool(joined)


def test_a_word_first_seen_in_this_page_is_found_by_its_first_letters():
    _memo.clear()  # no spelling of any token known yet
    placed = placed_positions(PAGE, ANALYZER, {"curios"}, index_positions(PAGE))
    assert placed is not None
    assert [PAGE[s:e] for toks in placed.values() for _, s, e in toks] == ["curiosity"] * 2
    marks = MarkTerms({"curios"}, [])
    assert "<mark>curiosity</mark>" in snippet(
        PAGE, ANALYZER, marks, positions=index_positions(PAGE)
    )


def test_more_positions_than_the_text_shows_fall_back_to_the_chain():
    # An index whose positions do not fit the text (it changed, or a spelling is not found):
    # the count decides, and the chain marks what the text holds.
    positions = index_positions(PAGE)
    positions["risk"] = [*positions["risk"], 999]
    marks = MarkTerms({"risk"}, [])
    assert placed_positions(PAGE, ANALYZER, {"risk"}, positions) is None
    expected = _snippet_from_spans(PAGE, _mark_spans_reference(PAGE, ANALYZER, marks), False)
    assert snippet(PAGE, ANALYZER, marks, positions=positions) == expected


def test_a_token_the_index_says_is_absent_is_not_marked():
    assert placed_positions(PAGE, ANALYZER, {"risk"}, {}) == {}


def test_a_character_that_lower_cases_to_two_falls_back():
    text = "İstanbul risk assessment"
    assert placed_positions(text, ANALYZER, {"risk"}, index_positions(text)) is None
    marks = MarkTerms({"risk"}, [])
    assert "<mark>risk</mark>" in snippet(text, ANALYZER, marks, positions=index_positions(text))


@pytest.mark.parametrize(
    "query", ["forensic curiosity", '"risk assessment"', "referral", "safeguard*", "MARAC"]
)
def test_every_hit_the_service_shows_is_marked_as_the_chain_marks_it(client, index_dir, query):
    ix = windex.open_dir(str(index_dir / current_version(index_dir)))
    with ix.searcher() as searcher:
        marks = terms_to_mark(parse_query(ix.schema, query).query, searcher.reader())
    got = client.get("/api/search?q=" + urllib.parse.quote(query) + "&per_page=50").get_json()
    assert got["hits"], query
    for hit in got["hits"]:
        whole = hit["type"] == "recommendation"
        reference = _mark_spans_reference(hit["text"], ANALYZER, marks)
        assert hit["highlight"] == _snippet_from_spans(hit["text"], reference, whole)
    assert any("<mark>" in hit["highlight"] for hit in got["hits"])


def test_the_service_places_a_pages_marks_from_the_index(client, monkeypatch):
    from search_service.search import highlight

    seen = []

    def counted(text, analyzer, wanted, positions):
        found = placed_positions(text, analyzer, wanted, positions)
        seen.append(found is not None)
        return found

    monkeypatch.setattr(highlight, "placed_positions", counted)
    got = client.get("/api/search?q=referral&per_page=20").get_json()
    assert got["hits"] and len(seen) == len(got["hits"])
    assert all(seen)

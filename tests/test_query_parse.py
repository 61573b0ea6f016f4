"""Plain words skip the parser, and get exactly the query the parser (and the phrase boost)
would build."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from search_service.index.schema import build_schema
from search_service.search import parse as query

SCHEMA = build_schema()
WORDS = st.one_of(
    st.from_regex(r"\w{1,14}", fullmatch=True),
    st.sampled_from(["AND", "OR", "NOT", "and", "the", "idva", "MARAC", "multiagency", "2019"]),
    st.sampled_from(["Safeguarding", "behavior", "organisations", "honour", "x_y", "ÉCOLE"]),
    st.sampled_from(["multi", "agency", "risk", "assessment", "conference", "domestic", "abuse"]),
)
TEXTS = st.lists(WORDS, min_size=1, max_size=9).map(" ".join)


def _slow(text: str) -> query.wq.Query:
    """The parser's query and the phrase boost, as parse_query builds them without the fast path."""
    expanded, expansions = query.expand_vocabulary(text)
    parsed = query._parser(SCHEMA).parse(expanded)
    return parsed if expansions else query._phrase_boost(SCHEMA, text, parsed)


@settings(max_examples=600, deadline=None)
@given(TEXTS)
def test_plain_words_get_the_parsers_query(text):
    fast = query._plain_words(SCHEMA, text, vocabulary=True)
    parsed = query.parse_query(SCHEMA, text)
    # A version's memo of analysed words answers the same, when it is filled and when it is read.
    memo: dict = {}
    for _ in range(2):
        assert query._plain_words(SCHEMA, text, True, memo) == fast
        assert query.parse_query(SCHEMA, text, memo=memo).query == parsed.query
    if fast is None:
        return  # the parser answered: nothing to compare
    assert fast == _slow(text)
    assert parsed.query == fast and parsed.notes == [] and parsed.expansions == []


def test_the_fast_path_is_taken_for_plain_words_only():
    for text in ("failings", "domestic reviews", "police training needs", "multi agency"):
        assert query._plain_words(SCHEMA, text, True) is not None, text
    assert isinstance(query._plain_words(SCHEMA, "domestic reviews", True), query.wq.AndMaybe)
    for text in ("idva", "AND", "the", "risk of harm", '"risk"', "risk*", "multi-agency"):
        assert query._plain_words(SCHEMA, text, True) is None, text
    assert query._plain_words(SCHEMA, "police idva", True) is None  # a vocabulary name
    assert query._plain_words(SCHEMA, "idva", vocabulary=False) is not None
    assert query._plain_words(SCHEMA, " ".join(["risk"] * 9), True) is None


def test_the_memo_of_analysed_words_is_bounded(monkeypatch):
    monkeypatch.setattr(query, "PLAIN_MEMO", 3)
    memo: dict = {}
    for text in ("risk", "police", "failings", "training needs", "risk"):
        assert query._plain_words(SCHEMA, text, True, memo) == query._plain_words(
            SCHEMA, text, True
        )
        assert len(memo) <= 3
    # Each call gets its own query objects: rewriting one leaves the next untouched.
    first = query._plain_words(SCHEMA, "risk", True, memo)
    first.subqueries.clear()
    assert query._plain_words(SCHEMA, "risk", True, memo).subqueries

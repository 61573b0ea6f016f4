"""A one-word query skips the parser, and gets exactly the query the parser would build."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from search_service import query
from search_service.schema import build_schema

SCHEMA = build_schema()
WORDS = st.one_of(
    st.from_regex(r"\w{1,14}", fullmatch=True),
    st.sampled_from(["AND", "OR", "NOT", "and", "the", "idva", "MARAC", "multiagency", "2019"]),
    st.sampled_from(["Safeguarding", "behavior", "organisations", "honour", "x_y", "ÉCOLE"]),
)


@settings(max_examples=400, deadline=None)
@given(WORDS)
def test_one_word_gets_the_parsers_query(word):
    fast = query._one_word(SCHEMA, word, vocabulary=True)
    parsed = query.parse_query(SCHEMA, word)
    if fast is None:
        return  # the parser answered: nothing to compare
    assert fast == query._parser(SCHEMA).parse(word)
    assert parsed.query == fast and parsed.notes == [] and parsed.expansions == []


def test_the_fast_path_is_taken_for_plain_words_only():
    assert query._one_word(SCHEMA, "failings", True) is not None
    for word in ("idva", "AND", "the", "risk assessment", '"risk"', "risk*", "multi-agency"):
        assert query._one_word(SCHEMA, word, True) is None, word
    assert query._one_word(SCHEMA, "idva", vocabulary=False) is not None

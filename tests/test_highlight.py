"""Snippets as users see them: escaped text in which only the marks we add are live."""

from __future__ import annotations

import re

from search_service.analysis import text_analyzer
from search_service.highlight import MarkTerms, mark_spans, snippet, terms_to_mark
from search_service.query import parse_query
from search_service.schema import build_schema

ANALYZER = text_analyzer()
SCHEMA = build_schema()


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


def test_no_marks_or_no_analyzer_mark_nothing():
    assert snippet("<b>x</b>", None, MarkTerms()) == "&lt;b&gt;x&lt;/b&gt;"
    assert mark_spans("", ANALYZER, MarkTerms({"x"})) == []

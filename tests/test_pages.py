"""The review page parser, on the real seed page and on variations of its layout."""

import pytest

from search_service.corpus.pages import PageFormatError, parse_page


def test_seed_parses_to_nine_recommendations_with_their_addressees(seed_text):
    review = parse_page(seed_text, "bolton-2023")
    assert [r.number for r in review.recommendations] == [str(n) for n in range(1, 10)]
    to_csp = [
        r for r in review.recommendations if r.addressees == ["Bolton Community Safety Partnership"]
    ]
    to_probation = [
        r for r in review.recommendations if r.addressees == ["Greater Manchester Probation Trust"]
    ]
    assert len(to_csp) == 8
    assert [r.number for r in to_probation] == ["6"]


def test_seed_metadata(seed_text):
    review = parse_page(seed_text, "bolton-2023")
    assert review.id == "bolton-2023"
    assert review.title == "Bolton review"
    assert review.csp == "Bolton"
    assert (review.published_month, review.published_year) == (4, 2023)
    assert review.published == "April 2023"
    assert review.year_of_death == 2012
    assert review.summary.startswith("The report identifies systemic failures")
    assert review.summary.endswith("impeded safeguarding efforts.")


def test_text_keeps_its_characters_exactly(seed_text):
    rec7 = parse_page(seed_text, "x").recommendations[6]
    assert "9.8 (“forensic curiosity”)" in rec7.text
    assert "Adult A’s status" in rec7.text
    assert rec7.text.endswith("should be addressed in such training.")


def test_closing_row_is_not_a_recommendation(seed_text):
    texts = [r.text for r in parse_page(seed_text, "x").recommendations]
    assert not any("Recommendations extracted" in t for t in texts)


def test_missing_year_of_death_is_unknown(seed_text):
    text = seed_text.replace("Year of death: 2012\n", "")
    review = parse_page(text, "x")
    assert review.year_of_death is None
    assert len(review.recommendations) == 9


def test_markdown_form_with_headings_parses_the_same(seed_text):
    md = (
        seed_text.replace("Bolton review\n", "# Bolton review\n")
        .replace("\nSummary\n", "\n## Summary\n")
        .replace("Extracted recommendations", "## Extracted recommendations")
    )
    review = parse_page(md, "x")
    assert review.title == "Bolton review"
    assert len(review.recommendations) == 9
    assert review.summary.startswith("The report identifies")


def test_special_characters_survive(seed_text):
    text = seed_text.replace("refuge provision", "refuge & <shelter> provision")
    rec9 = parse_page(text, "x").recommendations[8]
    assert "refuge & <shelter> provision" in rec9.text


def test_a_file_without_the_layout_is_refused_with_a_reason():
    with pytest.raises(PageFormatError, match="no 'CSP:' line"):
        parse_page("Just some notes about a meeting.\nNothing else.", "notes")


def test_a_page_with_a_csp_but_no_content_is_refused():
    with pytest.raises(PageFormatError, match="no 'Summary'"):
        parse_page("Title\nCSP: Bolton\nPublished: 2020\n", "x")


def test_row_wrapped_onto_the_next_line_is_joined(seed_text):
    text = seed_text.replace(
        "| 9 | That Bolton Community Safety Partnership ensure that all staff",
        "| 9 | That Bolton Community Safety Partnership ensure\nthat all staff",
    )
    recs = parse_page(text, "x").recommendations
    assert len(recs) == 9
    assert recs[8].text.startswith("That Bolton Community Safety Partnership ensure that all staff")
    assert recs[8].addressees == ["Bolton Community Safety Partnership"]

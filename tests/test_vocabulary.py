"""The curated vocabulary: either side of a group finds the whole group."""

import pytest

from search_service.analysis.vocabulary import equivalents, groups, normalise_phrase


@pytest.mark.parametrize(
    "query, must_include",
    [
        ("MARAC", ["Multi-Agency Risk Assessment Conference"]),
        ("MARACs", ["MARAC", "Multi-Agency Risk Assessment Conference"]),
        ("multi agency risk assessment conferences", ["MARAC"]),
        ("multiagency risk assessment conference", ["MARAC"]),
        (
            "IDVAs",
            ["Independent Domestic Violence Advisor", "Independent Domestic Violence Advocate"],
        ),
        ("independent domestic violence adviser", ["IDVA"]),
        ("Clare’s Law", ["DVDS", "Domestic Violence Disclosure Scheme"]),
        ("clares law", ["DVDS"]),
        ("DVDS", ["Clare's Law"]),
        ("DVPO", ["DAPO", "Domestic Abuse Protection Order"]),
        ("DAPN", ["DVPN", "Domestic Violence Protection Notice"]),
        ("CCGs", ["ICB", "Integrated Care Board", "Clinical Commissioning Group"]),
        ("A & E", ["Accident and Emergency", "Emergency Department"]),
        ("accident & emergency", ["A&E"]),
        ("GPs", ["General Practitioner"]),
        ("National Probation Service", ["CRC", "Probation Service"]),
        ("serious case review", ["CSPR", "Child Safeguarding Practice Review"]),
        ("controlling or coercive behavior", ["coercive control"]),
        ("Domestic Abuse, Stalking and Harassment", ["DASH"]),
    ],
)
def test_equivalents_find_the_whole_group(query, must_include):
    forms = equivalents(query)
    assert set(must_include) <= set(forms)


def test_equivalents_include_the_input_group_form():
    assert "MARAC" in equivalents("marac")


def test_unknown_terms_come_back_alone():
    assert equivalents("forensic curiosity") == ["forensic curiosity"]


def test_no_form_belongs_to_two_groups():
    keys = [normalise_phrase(f) for forms in groups() for f in forms]
    assert len(keys) == len(set(keys))


def test_normalise_phrase_folds_spelling_hyphens_and_ampersands():
    assert normalise_phrase("Multi-Agency Behavior") == normalise_phrase("multiagency behaviour")
    assert normalise_phrase("A&E") == normalise_phrase("a and e")

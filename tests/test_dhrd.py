"""Reviews link to their one DHRD incident, and its case characteristics are the CSV's."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from search_service.corpus import dhrd
from search_service.corpus.dhrd import (
    CHARACTERISTICS,
    CITATION,
    FALSE_MEANS,
    Incident,
    Victim,
    characteristics,
    get_incident,
    incidents,
    link,
    normalise_csp,
    unlinked,
)
from search_service.corpus.pages import parse_page
from search_service.model import Review

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "search_service" / "data" / "dhrd"
# The same page as the shared seed 000_b90d4ab5bf7e2bfe.txt (byte for byte).
SEED = ROOT / "search_service" / "data" / "seed" / "bolton-2023.txt"


def read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


INCIDENTS = read_csv("incidents.csv")
VICTIMS = {row["incident_id"]: row for row in read_csv("victims.csv")}
PERPETRATORS = {row["incident_id"]: row for row in read_csv("perpetrators.csv")}


def rows_for(csp: str, year: str) -> list[dict[str, str]]:
    return [r for r in INCIDENTS if r["csp"] == csp and r["death_date"].split()[-1] == year]


@pytest.fixture(scope="module")
def bolton() -> Review:
    return parse_page(SEED.read_text("utf-8"), SEED.stem)


def review(csp="Bolton", year_of_death=2012, published=(2023, 4), **fields) -> Review:
    year, month = published
    return Review(
        id="r",
        csp=csp,
        year_of_death=year_of_death,
        published_year=year,
        published_month=month,
        **fields,
    )


def test_the_bolton_review_links_to_its_one_incident(bolton):
    (expected,) = rows_for("Bolton", "2012")
    assert (bolton.csp, bolton.year_of_death, bolton.published) == ("Bolton", 2012, "April 2023")

    found = link(bolton)

    assert found.status == "linked" and found.linked
    assert found.incident.id == expected["incident_id"]
    assert found.explanation.startswith("CSP Bolton and year of death 2012: the only DHRD incident")


def test_the_bolton_incident_has_the_characteristics_of_its_csv_rows(bolton):
    (row,) = rows_for("Bolton", "2012")
    victim, perpetrator = VICTIMS[row["incident_id"]], PERPETRATORS[row["incident_id"]]
    case_types = {
        "intimate_partner_violence": "Intimate partner",
        "familial_homicide": "Familial",
        "parricide": "Parricide",
        "homicide_suicide": "Homicide-suicide",
        "multiple_victims": "Multiple victims",
    }
    abuse = {
        "coercive_control": "Coercive control",
        "economic_abuse": "Economic",
        "physical_abuse": "Physical",
        "emotional_abuse": "Emotional",
        "sexual_abuse": "Sexual",
        "stalking": "Stalking",
        "honour_based_violence": "Honour-based",
        "forced_marriage": "Forced marriage",
    }

    def yes_no(flag: str) -> list[str]:
        return ["Indicated" if row[flag] == "True" else "Not indicated"]

    values = characteristics(link(bolton).incident)

    assert set(values["case_type"]) == {v for k, v in case_types.items() if row[k] == "True"}
    assert set(values["abuse"]) == {v for k, v in abuse.items() if row[k] == "True"}
    assert values["separation"] == yes_no("separation")
    assert values["children_present"] == yes_no("children_present")
    assert values["victim_sex"] == [victim["sex_of_victim"]]
    assert values["victim_age"] == [victim["age_at_death"]]
    assert values["relationship"] == [victim["relationship_to_perpetrator"]]
    assert values["perpetrator_sex"] == [perpetrator["sex_of_perpetrator"]]
    assert values["perpetrator_age"] == [perpetrator["age_at_fatal_incident"]]


def test_two_incidents_of_one_csp_and_year_are_ambiguous_until_the_month_decides():
    rows = rows_for("Bolton", "2019")
    months = {r["death_date"].split()[0]: r["incident_id"] for r in rows}
    assert len(rows) == 2 and set(months) == {"January", "March"}
    ambiguous = review(year_of_death=2019)

    found = link(ambiguous)
    assert found.status == "ambiguous: 2 incidents"
    assert found.incident is None and not found.linked
    assert {i.id for i in found.candidates} == set(months.values())

    assert link(ambiguous, month_of_death=1).incident.id == months["January"]
    by_march = link(ambiguous, month_of_death=3)
    assert by_march.incident.id == months["March"]
    assert "March 2019: the only DHRD incident of the 2 in 2019" in by_march.explanation
    assert link(ambiguous, month_of_death=5).status == "no match"


def test_an_incident_with_only_a_year_of_death_still_fits_any_month():
    dates = sorted(r["death_date"] for r in rows_for("Basildon", "2018"))
    assert dates == ["2018", "April 2018"]

    found = link(review("Basildon", 2018), month_of_death=4)

    assert found.status == "ambiguous: 2 incidents"


def test_a_synthetic_review_is_never_linked(bolton):
    found = link(replace(bolton, synthetic=True))

    assert found.status == "synthetic" and found.incident is None


@pytest.mark.parametrize(
    "published", [(2022, 11), (2026, 4), (2021, None), (2022, None), (2026, None), (2027, 1)]
)
def test_a_review_published_outside_the_coverage_is_not_linked(published):
    found = link(review(published=published))

    assert found.status == "outside coverage" and found.incident is None
    assert "December 2022 to March 2026" in found.explanation


@pytest.mark.parametrize("published", [(2022, 12), (2026, 3), (2023, None), (2025, None)])
def test_a_review_published_inside_the_coverage_links(published):
    assert link(review(published=published)).status == "linked"


@pytest.mark.parametrize(
    "fields, status",
    [
        ({"csp": "Atlantis"}, "no match"),
        ({"year_of_death": 1990}, "no match"),
        ({"csp": ""}, "no CSP"),
        ({"csp": "Community Safety Partnership"}, "no CSP"),
        ({"year_of_death": None}, "no year of death"),
        ({"published": (None, None)}, "no published date"),
    ],
)
def test_reviews_that_cannot_be_matched_say_why(fields, status):
    found = link(review(**fields))

    assert found.status == status and found.incident is None and found.explanation


@pytest.mark.parametrize(
    "csp",
    [
        "bolton",
        "  Bolton ",
        "Bolton CSP",
        "Safer Bolton Partnership",
        "Bolton Community Safety Partnership",
        "Bolton Council",
    ],
)
def test_csp_spellings_link_to_the_same_incident(csp):
    (row,) = rows_for("Bolton", "2012")

    assert link(review(csp)).incident.id == row["incident_id"]


@pytest.mark.parametrize(
    "ours, theirs",
    [
        ("Barking & Dagenham Community Safety Partnership", "Barking and Dagenham"),
        ("Stoke on Trent City Council", "Stoke-on-Trent"),
        ("Blackburn with Darwen", "Blackburn With Darwen"),
        ("Newcastle-under-Lyme", "Newcastle-Under-Lyme"),
        ("Royal Borough of Kensington and Chelsea", "Kensington and Chelsea"),
        ("Saint Helens", "St Helens"),
        ("City of Bradford", "Bradford"),
    ],
)
def test_csp_names_normalise_alike_on_both_sides(ours, theirs):
    assert normalise_csp(ours) == normalise_csp(theirs)


def test_no_two_dhrd_csps_share_a_normalised_name():
    names = {r["csp"] for r in INCIDENTS}

    assert len({normalise_csp(n) for n in names}) == len(names) == 189


def test_unlinked_lists_the_reviews_without_an_incident_and_why(bolton):
    synthetic = replace(bolton, id="s", synthetic=True)
    ambiguous = review(year_of_death=2019)

    found = unlinked([bolton, synthetic, ambiguous])

    assert [(r.id, why.status) for r, why in found] == [
        ("s", "synthetic"),
        ("r", "ambiguous: 2 incidents"),
    ]


def test_shared_csp_years_counts_incidents_that_share_csp_and_year_with_another():
    groups = Counter((r["csp"], r["death_date"].split()[-1]) for r in INCIDENTS)

    assert dhrd.shared_csp_years() == sum(n for n in groups.values() if n > 1)


def test_every_incident_loads_with_its_victims_and_perpetrators():
    loaded = incidents()

    assert len(loaded) == len(INCIDENTS) == 647
    assert sum(len(i.victims) for i in loaded) == len(VICTIMS)
    assert sum(len(i.perpetrators) for i in loaded) == len(PERPETRATORS)
    assert incidents()[0] is loaded[0]  # read once, then cached


def facet_counts(name: str) -> Counter:
    return Counter(v for i in incidents() for v in characteristics(i)[name])


def test_facet_counts_over_all_incidents_equal_the_csv_counts():
    victim_sex = Counter(v["sex_of_victim"] for v in VICTIMS.values())
    victim_sex["Not recorded"] = len(INCIDENTS) - len(VICTIMS)
    assert facet_counts("victim_sex") == victim_sex

    coercive = sum(r["coercive_control"] == "True" for r in INCIDENTS)
    assert facet_counts("abuse")["Coercive control"] == coercive

    separated = sum(r["separation"] == "True" for r in INCIDENTS)
    assert facet_counts("separation") == Counter(
        {"Indicated": separated, "Not indicated": len(INCIDENTS) - separated}
    )

    perpetrator_age = Counter(p["age_at_fatal_incident"] for p in PERPETRATORS.values())
    assert facet_counts("perpetrator_age") == perpetrator_age


def test_unknown_is_distinct_from_not_recorded():
    unknown_sex = next(i for i, v in VICTIMS.items() if v["sex_of_victim"] == "Unknown")
    no_victim_row = next(r["incident_id"] for r in INCIDENTS if r["incident_id"] not in VICTIMS)

    assert characteristics(get_incident(unknown_sex))["victim_sex"] == ["Unknown"]
    assert characteristics(get_incident(no_victim_row))["victim_sex"] == ["Not recorded"]
    counts = facet_counts("victim_age")
    assert counts["Unknown"] == sum(v["age_at_death"] == "Unknown" for v in VICTIMS.values())
    assert counts["Not recorded"] == len(INCIDENTS) - len(VICTIMS)


def test_an_empty_cell_is_not_recorded_and_several_victims_give_the_union():
    base = get_incident(INCIDENTS[0]["incident_id"])
    two = replace(base, victims=(Victim("a", "65+", "", "Parent"), Victim("b", "", "Male", "")))

    values = characteristics(two)

    assert values["victim_sex"] == ["Male", "Not recorded"]
    assert values["victim_age"] == ["65+", "Not recorded"]
    assert values["relationship"] == ["Parent", "Not recorded"]


def test_no_indicated_flag_gives_none_indicated_and_an_empty_flag_is_not_recorded():
    base = get_incident(INCIDENTS[0]["incident_id"])
    bare = replace(base, flags=frozenset(), unrecorded=frozenset({"separation"}))

    values = characteristics(bare)

    assert values["case_type"] == ["None indicated"]
    assert values["abuse"] == ["None indicated"]
    assert values["separation"] == ["Not recorded"]
    assert values["children_present"] == ["Not indicated"]


def test_every_value_is_in_its_characteristics_order_and_single_ones_have_one():
    for incident in incidents():
        values = characteristics(incident)
        assert list(values) == [c.name for c in CHARACTERISTICS]
        for c in CHARACTERISTICS:
            assert set(values[c.name]) <= set(c.values), (incident.id, c.name)
            assert values[c.name] == sorted(values[c.name], key=c.values.index)
            assert c.multi or len(values[c.name]) == 1


def test_the_citation_and_the_meaning_of_false_are_stated():
    assert "10.5281/zenodo.21108268" in CITATION and "CC BY 4.0" in CITATION
    assert "not indicated" in FALSE_MEANS and "not that it was absent" in FALSE_MEANS


def test_a_month_of_death_out_of_range_is_refused():
    with pytest.raises(ValueError, match="1 to 12"):
        link(review(), month_of_death=13)


def test_incidents_are_typed():
    incident = get_incident(rows_for("Bolton", "2012")[0]["incident_id"])

    assert isinstance(incident, Incident)
    assert (incident.csp, incident.region, incident.death_date) == (
        "Bolton",
        "North West",
        "June 2012",
    )
    assert incident.indicated("separation") is True
    assert incident.indicated("stalking") is False

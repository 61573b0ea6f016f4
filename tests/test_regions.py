"""CSP names map to their region from the DHRD data, however they are written."""

import pytest

from search_service.corpus.regions import all_regions, csp_regions, region_for


@pytest.mark.parametrize(
    "csp, region",
    [
        ("Bolton", "North West"),
        ("bolton", "North West"),
        ("  Bolton  ", "North West"),
        ("Bolton Community Safety Partnership", "North West"),
        ("Safer Bolton Partnership", "North West"),
        ("Bolton CSP", "North West"),
        ("Barking and Dagenham", "Greater London"),
        ("Barking & Dagenham Community Safety Partnership", "Greater London"),
        ("Blackburn with Darwen", "North West"),
        ("Stoke on Trent", "West Midlands"),
        ("Newcastle-under-Lyme", "West Midlands"),
        ("Cardiff", "Wales"),
        ("Cardiff Council", "Wales"),
        ("Kingston upon Hull", "Yorkshire and Humber"),
    ],
)
def test_region_for_known_csps(csp, region):
    assert region_for(csp) == region


@pytest.mark.parametrize("csp", ["", "Atlantis", "Community Safety Partnership"])
def test_unknown_csps_are_unknown(csp):
    assert region_for(csp) == "Unknown"


def test_all_regions_are_the_ten_of_england_and_wales():
    regions = all_regions()
    assert len(regions) == 10
    assert {"Wales", "Greater London", "North West", "East"} <= set(regions)
    assert regions == sorted(regions)


def test_every_dhrd_csp_has_a_region():
    assert len(csp_regions()) == 189
    assert all(csp_regions().values())

"""Splitting "Addressed to" cells into agencies and mapping agencies to sectors."""

import pytest

from search_service.corpus.agencies import (
    SECTORS,
    sector_for,
    sector_rules,
    sectors_for,
    split_addressees,
)


@pytest.mark.parametrize(
    "cell, names",
    [
        ("Police; Probation / Health", ["Police", "Probation", "Health"]),
        ("Police and Probation", ["Police", "Probation"]),
        ("Police, Probation and Health", ["Police", "Probation", "Health"]),
        ("Home Office & DWP", ["Home Office", "DWP"]),
        ("NPS/CRC", ["NPS", "CRC"]),
        ("All agencies", ["All agencies"]),
        ("All partner agencies", ["All partner agencies"]),
        ("Cheshire West and Chester Council", ["Cheshire West and Chester Council"]),
        ("Devon and Cornwall Police", ["Devon and Cornwall Police"]),
        (
            "Thames Valley Police and Crime Commissioner",
            ["Thames Valley Police and Crime Commissioner"],
        ),
        (
            "Barking and Dagenham Community Safety Partnership",
            ["Barking and Dagenham Community Safety Partnership"],
        ),
        (
            "Bath and North East Somerset Council & Avon and Somerset Constabulary",
            ["Bath and North East Somerset Council", "Avon and Somerset Constabulary"],
        ),
        (
            "Betsi Cadwaladr University Health Board and North Wales Police",
            ["Betsi Cadwaladr University Health Board", "North Wales Police"],
        ),
        (
            "Chorley & South Ribble CSP; Lancashire Constabulary",
            ["Chorley & South Ribble CSP", "Lancashire Constabulary"],
        ),
        ("Stockton and Darlington Council", ["Stockton and Darlington Council"]),
        ("A&E department and GP practices", ["A&E department", "GP practices"]),
        (
            "Ministry of Housing, Communities and Local Government",
            ["Ministry of Housing, Communities and Local Government"],
        ),
        (
            "Bolton Council (Housing, Children's Services) and Greater Manchester Police",
            ["Bolton Council (Housing, Children's Services)", "Greater Manchester Police"],
        ),
        ("  ", []),
    ],
)
def test_split_addressees(cell, names):
    assert split_addressees(cell) == names


@pytest.mark.parametrize(
    "name, sector",
    [
        ("Greater Manchester Probation Trust", "Probation"),
        ("National Probation Service", "Probation"),
        ("CRC", "Probation"),
        ("HMPPS", "Probation"),
        ("HM Prison Service", "Government"),
        ("Bolton Community Safety Partnership", "Partnership"),
        ("Safer Bolton Partnership", "Partnership"),
        ("Local Safeguarding Children Board", "Partnership"),
        ("Safeguarding Adults Board", "Partnership"),
        ("MARAC Steering Group", "Partnership"),
        ("NHS England", "Health"),
        ("Bolton Clinical Commissioning Group", "Health"),
        ("Integrated Care Board", "Health"),
        ("GP practices", "Health"),
        ("All GP practices", "Health"),
        ("Mental Health NHS Foundation Trust", "Health"),
        ("North West Ambulance Service", "Health"),
        ("Betsi Cadwaladr University Health Board", "Health"),
        ("Adult Social Care", "Local authority"),
        ("Children's Services", "Local authority"),
        ("Children’s Services", "Local authority"),
        ("Oldham Borough Council", "Local authority"),
        ("Housing association", "Housing"),
        ("Bolton at Home", "Housing"),
        ("Refuge", "Specialist domestic abuse service"),
        ("IDVA service", "Specialist domestic abuse service"),
        ("Women’s Aid", "Specialist domestic abuse service"),
        ("Victim Support", "Specialist domestic abuse service"),
        ("Home Office", "Government"),
        ("DWP", "Government"),
        ("Department for Education", "Government"),
        ("Schools", "Education"),
        ("University of Bolton", "Education"),
        ("All agencies", "All agencies"),
        ("All partner agencies", "All agencies"),
        ("Thames Valley Police and Crime Commissioner", "Police"),
        ("Avon and Somerset Constabulary", "Police"),
        ("Fire and Rescue Service", "Other"),
        ("Employers", "Other"),
    ],
)
def test_sector_for(name, sector):
    assert sector_for(name) == sector


def test_sectors_for_deduplicates_in_order():
    names = ["Police", "NHS Trust", "Lancashire Constabulary", "Refuge"]
    assert sectors_for(names) == ["Police", "Health", "Specialist domestic abuse service"]


def test_every_rule_names_a_known_sector():
    assert {sector for _, sector in sector_rules()} <= set(SECTORS)

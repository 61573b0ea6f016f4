"""The registry of DHRD case characteristics: facet names, labels and value orders.

Values are worded as the DHRD records them ('25-34', 'Common-law spouse'), with three of our
own: 'Not recorded' (no victim or perpetrator row, or an empty cell), which is not the
dataset's own 'Unknown'; 'Indicated' / 'Not indicated' for yes/no flags, because the dataset's
False means only that the Home Office metadata did not indicate it (see FALSE_MEANS); and
'None indicated' for a multi-valued characteristic none of whose flags is indicated.
"""

from __future__ import annotations

from dataclasses import dataclass

CITATION = (
    "Cook, D., & Cook, E. A. (2026). The Domestic Homicide Review Dataset (DHRD) for England "
    "and Wales (v1.0.0) [Data set]. Zenodo. https://doi.org/10.5281/zenodo.21108268. "
    "Licensed under CC BY 4.0."
)

FALSE_MEANS = (
    "In the DHRD, False means the characteristic was not indicated in the Home Office "
    "metadata, not that it was absent from the case."
)

UNKNOWN = "Unknown"  # the dataset's own value: recorded as unknown
NOT_RECORDED = "Not recorded"  # ours: no row for the person, or an empty cell
INDICATED = "Indicated"
NOT_INDICATED = "Not indicated"
NONE_INDICATED = "None indicated"


@dataclass(frozen=True)
class Characteristic:
    """One case characteristic, shown as a facet.

    ``source`` says where values come from: 'flags' (one value per indicated column of
    ``flag_values``), a flag column (Indicated / Not indicated), or 'victims.<attribute>' /
    'perpetrators.<attribute>' (the union over the incident's people). ``values`` is the
    order values are shown in; a value the data holds but the list lacks sorts before
    'Unknown'.
    """

    name: str
    label: str
    multi: bool
    values: tuple[str, ...]
    source: str
    flag_values: tuple[tuple[str, str], ...] = ()


_CASE_TYPES = (
    ("intimate_partner_violence", "Intimate partner"),
    ("familial_homicide", "Familial"),
    ("parricide", "Parricide"),
    ("homicide_suicide", "Homicide-suicide"),
    ("multiple_victims", "Multiple victims"),
)
_ABUSE = (
    ("coercive_control", "Coercive control"),
    ("economic_abuse", "Economic"),
    ("physical_abuse", "Physical"),
    ("emotional_abuse", "Emotional"),
    ("sexual_abuse", "Sexual"),
    ("stalking", "Stalking"),
    ("honour_based_violence", "Honour-based"),
    ("forced_marriage", "Forced marriage"),
)
_SEXES = ("Female", "Male", UNKNOWN, NOT_RECORDED)
_VICTIM_AGES = ("16-19", "20-24", "25-34", "35-44", "45-54", "55-64", "65+", UNKNOWN, NOT_RECORDED)
# perpetrators.csv has '20-34' where the codebook says '20-24'; kept as recorded.
_PERPETRATOR_AGES = (
    "16-19",
    "20-34",
    "25-34",
    "35-44",
    "45-54",
    "55-64",
    "65+",
    UNKNOWN,
    NOT_RECORDED,
)
# The victim's relationship to the perpetrator: 'Parent' means the victim was the
# perpetrator's parent. Partners first, then former partners, family, others.
_RELATIONSHIPS = (
    "Spouse (incl civil partner)",
    "Common-law spouse",
    "Boyfriend or girlfriend",
    "Casual sexual partner",
    "Ex-spouse",
    "Ex-boyfriend or ex-girlfriend",
    "Emotional rival",
    "Parent",
    "Step-parent",
    "Grandparent",
    "Son or daughter",
    "Sibling",
    "Half-sibling",
    "Step-sibling",
    "Other (relative)",
    "Cohabitant",
    "Other (non-relative)",
    UNKNOWN,
    NOT_RECORDED,
)
_YES_NO = (INDICATED, NOT_INDICATED, NOT_RECORDED)

CHARACTERISTICS: tuple[Characteristic, ...] = (
    Characteristic(
        "case_type",
        "Case type",
        True,
        tuple(v for _, v in _CASE_TYPES) + (NONE_INDICATED,),
        "flags",
        _CASE_TYPES,
    ),
    Characteristic(
        "abuse",
        "Abuse recorded",
        True,
        tuple(v for _, v in _ABUSE) + (NONE_INDICATED,),
        "flags",
        _ABUSE,
    ),
    Characteristic("separation", "Separation", False, _YES_NO, "separation"),
    Characteristic("children_present", "Children present", False, _YES_NO, "children_present"),
    Characteristic("victim_sex", "Victim sex", True, _SEXES, "victims.sex"),
    Characteristic("victim_age", "Victim age", True, _VICTIM_AGES, "victims.age_band"),
    Characteristic(
        "relationship",
        "Victim's relationship to perpetrator",
        True,
        _RELATIONSHIPS,
        "victims.relationship",
    ),
    Characteristic("perpetrator_sex", "Perpetrator sex", True, _SEXES, "perpetrators.sex"),
    Characteristic(
        "perpetrator_age", "Perpetrator age", True, _PERPETRATOR_AGES, "perpetrators.age_band"
    ),
)


def value_rank(characteristic: Characteristic, value: str) -> tuple[int, str]:
    """Sort key of a value in its characteristic's order (unlisted ones before 'Unknown')."""
    order = characteristic.values
    if value in order:
        return 2 * order.index(value), ""
    before = order.index(UNKNOWN) if UNKNOWN in order else len(order)
    return 2 * before - 1, value

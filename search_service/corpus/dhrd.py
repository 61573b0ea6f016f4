"""Link reviews to their incident in the Domestic Homicide Review Dataset (DHRD).

The data are ``data/dhrd/incidents.csv``, ``victims.csv`` and ``perpetrators.csv``, unchanged
copies of the DHRD v1.0.0 (see ``CITATION``). A review is linked to an incident by its CSP and
year of death (and month of death when known), and only when exactly one incident fits: a
wrong link would show a case's characteristics on another family's review. The registry of
case characteristics (names, labels, value orders) is in ``dhrd_values``.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from search_service.corpus.dhrd_values import (
    CHARACTERISTICS,
    CITATION,
    FALSE_MEANS,
    INDICATED,
    NONE_INDICATED,
    NOT_INDICATED,
    NOT_RECORDED,
    Characteristic,
    value_rank,
)
from search_service.corpus.regions import normalise_place
from search_service.model import MONTHS, Review, format_month_year, parse_month_year

# The dataset holds reports the Home Office DHR Library made available in these months.
COVERAGE_START = (2022, 12)
COVERAGE_END = (2026, 3)
COVERAGE = "December 2022 to March 2026"

# The incident flags of incidents.csv, in file order (the codebook omits honour_based_violence).
FLAG_COLUMNS = (
    "multiple_victims",
    "intimate_partner_violence",
    "familial_homicide",
    "parricide",
    "homicide_suicide",
    "children_present",
    "coercive_control",
    "economic_abuse",
    "faith_based_marriage",
    "forced_marriage",
    "honour_based_violence",
    "physical_abuse",
    "emotional_abuse",
    "separation",
    "sexual_abuse",
    "stalking",
)

__all__ = [
    "CHARACTERISTICS",
    "CITATION",
    "FALSE_MEANS",
    "Characteristic",
    "Incident",
    "Link",
    "Perpetrator",
    "Victim",
    "characteristics",
    "get_incident",
    "incidents",
    "link",
    "normalise_csp",
    "unlinked",
]

LINKED = "linked"
NO_MATCH = "no match"
SYNTHETIC = "synthetic"
OUTSIDE_COVERAGE = "outside coverage"
NO_PUBLISHED_DATE = "no published date"
NO_YEAR_OF_DEATH = "no year of death"
NO_CSP = "no CSP"


def ambiguous(count: int) -> str:
    """The status of a review that `count` incidents fit: 'ambiguous: 2 incidents'."""
    return f"ambiguous: {count} incidents"


@dataclass(frozen=True)
class Victim:
    """One victim row; an empty cell is '' (not recorded), distinct from 'Unknown'."""

    id: str
    age_band: str
    sex: str
    relationship: str  # the victim's relationship to the perpetrator, as the dataset words it


@dataclass(frozen=True)
class Perpetrator:
    """One perpetrator row; an empty cell is '' (not recorded), distinct from 'Unknown'."""

    id: str
    age_band: str
    sex: str
    court_verdict: str


@dataclass(frozen=True)
class Incident:
    """One DHRD incident with its victims and perpetrators."""

    id: str
    csp: str
    region: str
    death_year: int
    death_month: int | None  # 50 incidents give a bare year
    cause_of_death: str
    location_of_death: str
    flags: frozenset[str]  # the FLAG_COLUMNS recorded True
    unrecorded: frozenset[str]  # the FLAG_COLUMNS left empty (none in v1.0.0)
    victims: tuple[Victim, ...] = ()
    perpetrators: tuple[Perpetrator, ...] = ()

    @property
    def death_date(self) -> str:
        """Date of death as the dataset writes it: 'June 2012' or '2012'."""
        return format_month_year(self.death_month, self.death_year)

    def indicated(self, flag: str) -> bool | None:
        """True when the flag is indicated, False when not, None when its cell is empty."""
        if flag not in FLAG_COLUMNS:
            raise KeyError(flag)
        return None if flag in self.unrecorded else flag in self.flags


@dataclass(frozen=True)
class Link:
    """How a review links to a DHRD incident: the incident (or None), a status and why."""

    status: str
    explanation: str
    incident: Incident | None = None
    candidates: tuple[Incident, ...] = ()  # every incident that fits when ambiguous

    @property
    def linked(self) -> bool:
        """True when exactly one incident was found."""
        return self.incident is not None


# Words around a place name in a partnership's title, removed after normalise_place:
# "Safer Bolton Partnership", "Bolton Community Safety Partnership (CSP)", "City of Bradford",
# "Cardiff Council", "Royal Borough of Kensington and Chelsea". No DHRD CSP contains one.
_PARTNERSHIP_WORDS = re.compile(
    r"\b(community safety partnership|safer communities partnership|community safety|"
    r"partnership|csp|(?:metropolitan |county |city |district )?borough council|"
    r"city council|county council|district council|council|city of|county of|"
    r"(?:london |royal )?borough of|metropolitan borough|county borough|safer)\b"
)


def normalise_csp(name: str) -> str:
    """The key a CSP name is matched on, for reviews and the dataset alike.

    Case, '&'/'and', hyphens, punctuation and spacing are folded ('Stoke-on-Trent' ==
    'stoke on trent'), 'saint' becomes 'st', a leading 'the' and the partnership words
    ('Community Safety Partnership', 'CSP', 'Safer', 'Council', 'City of', 'London Borough
    of' ...) are removed: 'Safer Bolton Partnership' and 'Bolton CSP' are both 'bolton'.
    """
    key = normalise_place(name)
    key = re.sub(r"\bsaint\b", "st", key)
    key = re.sub(r"^the\b", "", key)
    return " ".join(_PARTNERSHIP_WORDS.sub(" ", key).split())


def _data_text(name: str) -> str:
    return resources.files("search_service").joinpath(f"data/dhrd/{name}").read_text("utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    return [
        {key: (value or "").strip() for key, value in row.items()}
        for row in csv.DictReader(io.StringIO(_data_text(name)))
    ]


def _by_incident(name: str, make) -> dict[str, list]:
    people: dict[str, list] = defaultdict(list)
    for row in _rows(name):
        people[row["incident_id"]].append(make(row))
    return people


def _incident(row: dict[str, str], victims: list, perpetrators: list) -> Incident:
    month, year = parse_month_year(row["death_date"])
    if year is None:
        raise ValueError(f"DHRD {row['incident_id']}: unreadable death_date {row['death_date']!r}")
    for flag in FLAG_COLUMNS:
        if row[flag] not in ("True", "False", ""):
            raise ValueError(f"DHRD {row['incident_id']}: {flag} is {row[flag]!r}")
    return Incident(
        id=row["incident_id"],
        csp=row["csp"],
        region=row["region"],
        death_year=year,
        death_month=month,
        cause_of_death=row["cause_of_death"],
        location_of_death=row["location_of_death"],
        flags=frozenset(f for f in FLAG_COLUMNS if row[f] == "True"),
        unrecorded=frozenset(f for f in FLAG_COLUMNS if row[f] == ""),
        victims=tuple(victims),
        perpetrators=tuple(perpetrators),
    )


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, Incident], dict[tuple[str, int], tuple[Incident, ...]]]:
    victims = _by_incident(
        "victims.csv",
        lambda r: Victim(
            r["victim_id"], r["age_at_death"], r["sex_of_victim"], r["relationship_to_perpetrator"]
        ),
    )
    perpetrators = _by_incident(
        "perpetrators.csv",
        lambda r: Perpetrator(
            r["perpetrator_id"],
            r["age_at_fatal_incident"],
            r["sex_of_perpetrator"],
            r["court_verdict"],
        ),
    )
    by_id = {
        row["incident_id"]: _incident(
            row, victims.get(row["incident_id"], []), perpetrators.get(row["incident_id"], [])
        )
        for row in _rows("incidents.csv")
    }
    orphans = (set(victims) | set(perpetrators)) - set(by_id)
    if orphans:
        raise ValueError(f"DHRD people of unknown incidents: {', '.join(sorted(orphans))}")
    by_key: dict[tuple[str, int], list[Incident]] = defaultdict(list)
    for incident in by_id.values():
        by_key[(normalise_csp(incident.csp), incident.death_year)].append(incident)
    return by_id, {key: tuple(found) for key, found in by_key.items()}


def incidents() -> tuple[Incident, ...]:
    """Every DHRD incident, in file order (read once, then cached)."""
    return tuple(_load()[0].values())


def get_incident(incident_id: str) -> Incident:
    """The incident with this id ('INC-0471'); KeyError when there is none."""
    return _load()[0][incident_id]


def _known_csps() -> dict[str, str]:
    return {key: found[0].csp for (key, _), found in _load()[1].items()}


def coverage_problem(year: int | None, month: int | None) -> str | None:
    """Why a published date is not inside the DHRD's coverage, or None when it is.

    A bare year of 2023 to 2025 is inside; 2022 and 2026 are inside only with a month
    (December 2022, January to March 2026), since the year alone could be either side.
    """
    if year is None:
        return "no published date, so it cannot be placed in the DHRD's coverage"
    if month is None:
        if COVERAGE_START[0] < year < COVERAGE_END[0]:
            return None
        if year in (COVERAGE_START[0], COVERAGE_END[0]):
            return f"published {year} with no month: the DHRD covers only {COVERAGE}"
    elif COVERAGE_START <= (year, month) <= COVERAGE_END:
        return None
    return f"published {format_month_year(month, year)}, outside the DHRD's coverage ({COVERAGE})"


def link(review: Review, month_of_death: int | None = None) -> Link:
    """Link a review to its one DHRD incident by CSP and year (and month) of death.

    With a month, an incident recorded with only the year still fits, so a month only
    decides between incidents whose months are known.
    """
    if month_of_death is not None and not 1 <= month_of_death <= 12:
        raise ValueError(f"month of death must be 1 to 12, not {month_of_death!r}")
    if review.synthetic:
        return Link(SYNTHETIC, "A synthetic review: not a real case, so never linked")
    key = normalise_csp(review.csp)
    if not key:
        given = f"no place name in CSP {review.csp!r}" if review.csp.strip() else "no CSP"
        return Link(NO_CSP, f"The review gives {given}")
    problem = coverage_problem(review.published_year, review.published_month)
    if problem:
        status = NO_PUBLISHED_DATE if review.published_year is None else OUTSIDE_COVERAGE
        return Link(status, problem[0].upper() + problem[1:])
    if review.year_of_death is None:
        return Link(NO_YEAR_OF_DEATH, "The review gives no year of death")
    csp = _known_csps().get(key)
    if csp is None:
        return Link(NO_MATCH, f"CSP {review.csp!r} is not a CSP of any DHRD incident")
    year = review.year_of_death
    in_year = _load()[1].get((key, year), ())
    found = tuple(
        i for i in in_year if month_of_death is None or i.death_month in (None, month_of_death)
    )
    when = (
        f"year of death {year}"
        if month_of_death is None
        else f"death in {MONTHS[month_of_death - 1]} {year}"
    )
    if not found:
        detail = f" ({len(in_year)} in {year}, none that month)" if in_year else ""
        return Link(NO_MATCH, f"CSP {csp} and {when}: no DHRD incident{detail}")
    if len(found) > 1:
        ids = ", ".join(i.id for i in found)
        hint = "" if month_of_death else "; the month of death may decide"
        return Link(
            ambiguous(len(found)),
            f"CSP {csp} and {when}: {len(found)} DHRD incidents ({ids}){hint}",
            candidates=found,
        )
    of = f" of the {len(in_year)} in {year}" if len(in_year) > 1 else ""
    explanation = f"CSP {csp} and {when}: the only DHRD incident{of} ({found[0].id})"
    return Link(LINKED, explanation, incident=found[0], candidates=found)


def link_record(review: Review) -> dict:
    """What the index keeps of a review's link: status, explanation, incident, characteristics."""
    found = link(review)
    record = {"status": found.status, "explanation": found.explanation}
    if found.incident is not None:
        record["incident"] = found.incident.id
        record["death"] = found.incident.death_date
        record["values"] = characteristics(found.incident)
    return record


def unlinked(reviews: Iterable[Review]) -> list[tuple[Review, Link]]:
    """Every review that links to no incident, with its Link (synthetic ones included)."""
    links = ((review, link(review)) for review in reviews)
    return [(review, found) for review, found in links if not found.linked]


def _values(incident: Incident, characteristic: Characteristic) -> set[str]:
    source = characteristic.source
    if source == "flags":
        found = {value for flag, value in characteristic.flag_values if flag in incident.flags}
        return found or {NONE_INDICATED}
    if "." in source:
        group, attribute = source.split(".")
        people = getattr(incident, group)
        return {getattr(person, attribute) or NOT_RECORDED for person in people} or {NOT_RECORDED}
    indicated = incident.indicated(source)
    return {NOT_RECORDED if indicated is None else INDICATED if indicated else NOT_INDICATED}


def characteristics(incident: Incident) -> dict[str, list[str]]:
    """The incident's value(s) for every characteristic in CHARACTERISTICS, in their order."""
    return {
        c.name: sorted(_values(incident, c), key=lambda value, c=c: value_rank(c, value))
        for c in CHARACTERISTICS
    }


def shared_csp_years() -> int:
    """How many incidents share their CSP and year of death with another incident."""
    return sum(len(found) for found in _load()[1].values() if len(found) > 1)

"""Agencies named in "Addressed to" cells: split a cell into names, map each name to a sector.

Both steps are driven by data files that can grow without code changes:
``data/joined_names.txt`` (names that contain "and"/"&"/"," yet name one body, plus the CSP
names from ``data/dhrd/incidents.csv``) and ``data/sectors.csv`` (ordered regex rules).
See docs/vocabulary.md.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

SECTORS = (
    "Police",
    "Probation",
    "Health",
    "Local authority",
    "Housing",
    "Specialist domestic abuse service",
    "Partnership",
    "Government",
    "Education",
    "All agencies",
    "Other",
)
OTHER = "Other"

# Separators between agency names. "&" and "and" only count as separators with spaces round
# them ("A&E" stays whole); text in brackets is protected before splitting.
_SEPARATORS = re.compile(
    r"(\s*[;/\n|\u2022\uf0b7]\s*|\s*,\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+)", re.I
)
_AND_OR_AMP = re.compile(r"\s+(?:and|&)\s+", re.I)

# Words that make a piece of text a name of a body on its own. A piece without one
# ("Barking", "Avon") is a fragment of a longer name split at its "and".
_AGENCY_WORD = re.compile(
    r"\b(police|constabulary|probation|crcs?|nps|hmpps|council|borough|county|services?|trust|"
    r"nhs|ccgs?|icbs?|boards?|partnerships?|csps?|marac|mappa|mash|hospitals?|gps?|practices?|"
    r"surgery|clinic|teams?|department|office|ministry|agency|agencies|authority|authorities|"
    r"commissioners?|refuges?|aid|support|idvas?|isvas?|associations?|housing|schools?|"
    r"colleges?|university|academy|ambulance|prisons?|dwp|cafcass|centre|center|unit|group|"
    r"organisations?|organizations?|providers?|project|charity|health|care|safeguarding|"
    r"network|forum|panel|courts?|cps|government|homes|partners|commissioning|lscb|sab|"
    r"professionals|employers?|staff|workers|visitors?|midwives|midwifery|education|"
    r"social|adults?|children|victim|victims|cgl|jobcentre|home|aid|constabulary|chambers?|commerce|federation|union|institute)\b",
    re.I,
)


def has_agency_word(text: str) -> bool:
    """Whether text names a kind of body ("Police", "Trust", "agencies", "Safer Leeds")."""
    return bool(_AGENCY_WORD.search(text) or _SAFER_PLACE.match(text.strip()))


def _data_text(name: str) -> str:
    return resources.files("search_service").joinpath(name).read_text("utf-8")


def _normalise(name: str) -> str:
    """Straighten apostrophes and fold runs of spaces, for matching (never for display)."""
    return " ".join(name.replace("\u2019", "'").replace("\u2018", "'").split())


@lru_cache(maxsize=1)
def joined_names() -> tuple[str, ...]:
    """Names that must not be split at their "and"/"&"/",", longest first."""
    names = {
        ln.strip()
        for ln in _data_text("data/joined_names.txt").splitlines()
        if ln.strip() and not ln.startswith("#")
    }
    incidents = csv.DictReader(io.StringIO(_data_text("data/dhrd/incidents.csv")))
    names |= {r["csp"].strip() for r in incidents if _AND_OR_AMP.search(r["csp"])}
    return tuple(sorted(names, key=len, reverse=True))


@lru_cache(maxsize=1)
def _joined_pattern() -> re.Pattern[str]:
    alternatives = []
    for name in joined_names():
        words = [re.escape(w) for w in re.split(r"\s+", name.replace("&", " and ").strip())]
        body = r"\s+".join(words).replace(r"\s+and\s+", r"\s*(?:and|&)\s*")
        body = body.replace(r",\s+", r"\s*,\s*")
        alternatives.append(body)
    # Brackets are protected too: "Council (Housing, Children's Services)" is one name.
    return re.compile(r"\([^)]*\)|\b(?:" + "|".join(alternatives) + r")\b", re.I)


def split_addressees(cell: str) -> list[str]:
    """Split an "Addressed to" cell into agency names as written, keeping one-body names whole."""
    # Each line is a name (or several): a report's cell may put one agency per line.
    cell = "\n".join(" ".join(line.split()) for line in cell.splitlines() if line.strip())
    if not cell:
        return []
    protected: list[str] = []

    def protect(m: re.Match[str]) -> str:
        protected.append(m.group(0))
        return f"\x00{len(protected) - 1}\x00"

    masked = _joined_pattern().sub(protect, cell)
    parts = _SEPARATORS.split(masked)
    pieces, seps = parts[0::2], parts[1::2]
    names: list[str] = []
    pending = ""
    for i, piece in enumerate(pieces):
        unmasked = re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], piece)
        sep = seps[i] if i < len(seps) else ""
        following = pieces[i + 1] if i + 1 < len(pieces) else ""
        if sep and _is_fragment(unmasked, sep, following):
            # "Stockton and Darlington Council", "Cumbria, Northumberland, Tyne and Wear NHS
            # Foundation Trust", "Coventry Haven" / "Women's Aid": a piece that names no body
            # on its own is part of the name that follows.
            pending += piece + (" " if "\n" in sep else sep)
            continue
        name = re.sub(
            r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], pending + piece
        ).strip(" .,;:")
        pending = ""
        if name:
            names.append(name)
    return names


# A name's leading word that makes no body of the place after it: "NHS Coventry and
# Warwickshire Integrated Care Board", "University Hospitals Coventry and Warwickshire NHS
# Trust" name areas joined by "and", then the body.
_AREA_PREFIX = re.compile(r"^(?:NHS|University Hospitals?)\s+[A-Z][\w\s-]*$")
_HEALTH_BODY_END = re.compile(r"(?:Trust|Board|ICB|CCG|Group|Partnership|Commissioning Group)$")


def _is_fragment(piece: str, sep: str, following: str) -> bool:
    """Whether a piece before a separator is part of a longer name, not a name of its own."""
    if _SAFER_PLACE.match(piece.strip()):
        return False  # "Safer Croydon", "Safe Newcastle": partnerships named for their place
    if not _AGENCY_WORD.search(piece):
        return bool(sep.strip(" ,") in ("and", "&", "") or sep.strip() in (",", ""))
    return (
        bool(_AND_OR_AMP.fullmatch(sep))
        and bool(_AREA_PREFIX.match(piece.strip()))
        and not _AGENCY_WORD.match(following.strip())
        and bool(_HEALTH_BODY_END.search(following.strip()))
    )


_SAFER_PLACE = re.compile(r"^Safer?\s+[A-Z]")


@lru_cache(maxsize=1)
def sector_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The ordered (pattern, sector) rules of ``data/sectors.csv``; the first match wins."""
    lines = [ln for ln in _data_text("data/sectors.csv").splitlines() if not ln.startswith("#")]
    rules = []
    for row in csv.DictReader(lines):
        sector = row["sector"].strip()
        if sector not in SECTORS:
            raise ValueError(f"sectors.csv: unknown sector {sector!r}")
        rules.append((re.compile(row["pattern"], re.I), sector))
    return tuple(rules)


def sector_for(addressee: str) -> str:
    """The one sector an agency name belongs to, by the first matching rule; else 'Other'."""
    name = _normalise(addressee)
    for pattern, sector in sector_rules():
        if pattern.search(name):
            return sector
    return OTHER


def sectors_for(addressees: Iterable[str]) -> list[str]:
    """Sectors of several names, de-duplicated, in the order first seen."""
    return list(dict.fromkeys(sector_for(a) for a in addressees))

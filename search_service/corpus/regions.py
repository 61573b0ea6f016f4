"""Community Safety Partnership -> region of England and Wales, from the DHRD incidents file.

The mapping is derived from ``data/dhrd/incidents.csv``: Cook, D., & Cook, E. A. (2026),
The Domestic Homicide Review Dataset (DHRD) for England and Wales, v1.0.0, Zenodo,
doi 10.5281/zenodo.21108268, licensed CC BY 4.0.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from functools import lru_cache
from importlib import resources

UNKNOWN = "Unknown"

# Words that follow a place name in a partnership's title: "Bolton Community Safety
# Partnership", "Safer Bolton Partnership", "Bolton CSP". Stripped to find the place.
_PARTNERSHIP_WORDS = re.compile(
    r"\b(community safety partnership|safer communities partnership|csp|partnership|"
    r"borough council|city council|county council|council|city of|london borough of|safer)\b"
)


def normalise_place(name: str) -> str:
    """Fold case, '&', hyphens and spacing: 'Stoke-on-Trent' == 'stoke on trent'."""
    name = name.lower().replace("&", " and ").replace("-", " ")
    return " ".join(re.sub(r"[^\w\s]", " ", name).split())


@lru_cache(maxsize=1)
def csp_regions() -> dict[str, str]:
    """Normalised CSP name -> region (the region most rows give that CSP)."""
    text = resources.files("search_service").joinpath("data/dhrd/incidents.csv").read_text("utf-8")
    votes: dict[str, Counter] = defaultdict(Counter)
    for row in csv.DictReader(io.StringIO(text)):
        csp, region = row["csp"].strip(), row["region"].strip()
        if csp and region:
            votes[normalise_place(csp)][region] += 1
    return {csp: counts.most_common(1)[0][0] for csp, counts in votes.items()}


def region_for(csp: str) -> str:
    """The region of a CSP given as a place ('Bolton') or a partnership name; else 'Unknown'."""
    table = csp_regions()
    key = normalise_place(csp)
    if key in table:
        return table[key]
    place = " ".join(_PARTNERSHIP_WORDS.sub(" ", key).split())
    return table.get(place, UNKNOWN)


def all_regions() -> list[str]:
    """Every region the data knows, sorted."""
    return sorted(set(csp_regions().values()))

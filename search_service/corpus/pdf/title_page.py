"""What a report's first pages say about it: its CSP, its publication date and its title.

Councils lay title pages out every way: the partnership's name on one line or split over
two, in capitals, after "Commissioned by", beside a pseudonym in curly quotes, or only as
the area's name. The CSP names of the DHRD (data/dhrd/incidents.csv) are a gazetteer: a
known name found there is given as the dataset spells it.
"""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from importlib import resources

from search_service.corpus.regions import normalise_place
from search_service.model import MONTHS, parse_month_year

_PARTNERSHIP = re.compile(r"community\s+safety\s+partnership", re.I)
# Words of a title page that are never part of a place's name.
_TITLE_WORDS = re.compile(
    r"\b(?:domestic homicide review|overview report|executive summary|final report|report|"
    r"into the death of|the death of|commissioned by|prepared for|on behalf of|for|by|the|"
    r"safer|adult [a-z]\b)",
    re.I,
)
_QUOTES = re.compile(r"[\"'\u2018\u2019\u201c\u201d]")
# A run of capitalised words (with the small words place names hold), at a line's end.
_TRAILING_NAME = re.compile(
    r"((?:[A-Z][\w.-]*\s+(?:(?:and|&|of|upon|on|in|under)\s+)?)*[A-Z][\w.-]*)\s*$"
)
_SMALL_WORDS = frozenset({"and", "of", "upon", "on", "in", "under", "the", "with"})


@lru_cache(maxsize=1)
def known_csps() -> dict[str, str]:
    """Normalised CSP name -> the name as the DHRD spells it."""
    text = resources.files("search_service").joinpath("data/dhrd/incidents.csv").read_text("utf-8")
    names = {row["csp"].strip() for row in csv.DictReader(io.StringIO(text))}
    return {normalise_place(n): n for n in names if n and n.lower() != "csp"}


def _known_suffix(text: str) -> str:
    """The longest known CSP name that ends text ('... Adult A South Gloucestershire')."""
    words = normalise_place(text).split()
    known = known_csps()
    for start in range(len(words)):
        name = known.get(" ".join(words[start:]))
        if name:
            return name
    return ""


def _titled(name: str) -> str:
    """'CHESHIRE WEST AND CHESTER' -> 'Cheshire West and Chester'."""
    if not name.isupper():
        return name
    words = name.lower().split()
    return " ".join(
        w if i and w in _SMALL_WORDS else "-".join(p.capitalize() for p in w.split("-"))
        for i, w in enumerate(words)
    )


def _place_before(text: str) -> str:
    """The place named just before 'Community Safety Partnership' in text, or ''."""
    text = _QUOTES.split(" ".join(text.split()))[-1]  # after a quoted pseudonym
    known = _known_suffix(text) or _known_suffix(_AREA_WORD.sub("", text))
    if known:
        return known
    text = _titled(text.strip(" ,:;-\u2013"))
    text = _TITLE_WORDS.split(text)[-1].strip()
    match = _TRAILING_NAME.search(text)
    return match[1] if match else ""


# "Norfolk County Community Safety Partnership" is Norfolk's, as the DHRD names it.
_AREA_WORD = re.compile(r"\s+(?:county|city|borough|district)\s*$", re.I)
# Partnerships named for their area without "Community Safety": "Safer Croydon
# Partnership", "Keeping Bristol Safe Partnership", "Safer Sheffield".
_NAMED_PARTNERSHIP = re.compile(
    r"\b(?:(?i:safer?)\s+(?P<a>[A-Z][\w .'-]*?)(?:\s+(?i:partnership)\b|\s*$)|"
    r"(?i:keeping)\s+(?P<b>[A-Z][\w .'-]*?)\s+(?i:safe\s+partnership)\b)"
)


def _lines(page: str) -> list[str]:
    return [" ".join(ln.split()) for ln in page.split("\n") if ln.strip()]


def _partnership_place(lines: list[str], i: int) -> str:
    """The place of a partnership named on line i (or with its name on the line above)."""
    line = _titled(lines[i])
    match = _PARTNERSHIP.search(line)
    if match:
        before = line[: match.start()]
        if not before.strip(" \u2018\u201c'\"") and i > 0:
            before = _titled(lines[i - 1])  # the name on the line above, the title on this one
        return _place_before(before)
    named = _NAMED_PARTNERSHIP.search(line)
    if named:
        place = named["a"] or named["b"]
        return _known_suffix(place) or _known_suffix(_AREA_WORD.sub("", place)) or place
    return ""


def _known_by_start(place: str, pages: list[str]) -> str:
    """The known CSP whose name starts with place ('Newcastle' -> 'Newcastle upon Tyne'),
    when the report's first pages name exactly one of those that do."""
    key = normalise_place(place)
    starting = [name for norm, name in known_csps().items() if norm.startswith(key + " ")]
    text = normalise_place(" ".join(pages[:4]))
    named = [name for name in starting if f" {normalise_place(name)} " in f" {text} "]
    return named[0] if len(named) == 1 else ""


def csp_name(pages: list[str]) -> str:
    """'Bolton Community Safety Partnership' on the first pages -> 'Bolton'; else a known area."""
    for page in pages[:3]:
        lines = _lines(page)
        for i in range(len(lines)):
            place = _partnership_place(lines, i)
            if place:
                known = normalise_place(place) in known_csps()
                return place if known else _known_by_start(place, pages) or place
    # No partnership named: a title-page line that is a known area.
    for line in _lines(pages[0]) if pages else []:
        place = _known_suffix(line)
        if place and len(normalise_place(line).split()) <= len(place.split()) + 1:
            return place
    return ""


def title_lines(pages: list[str]) -> list[str]:
    """Lines of the title page: the first page with any text."""
    first = next((p for p in pages if p.strip()), "")
    return [ln.strip() for ln in first.split("\n") if ln.strip()]


MONTH_YEAR = re.compile(
    r"\b(" + "|".join(m[:3] for m in MONTHS) + r")[a-z]*\.?,?\s+(\d{4})\b", re.IGNORECASE
)


def published_date(pages: list[str]) -> tuple[int | None, int | None]:
    """(month, year) from the title page: a 'Published' line first, then any 'Month YYYY'."""
    lines = title_lines(pages)
    ranked = [ln for ln in lines if "publish" in ln.lower()]
    ranked += [ln for ln in lines if re.search(r"\b(date|final|version)\b", ln, re.I)]
    ranked += lines
    for line in ranked:
        match = MONTH_YEAR.search(line)
        if match:
            return parse_month_year(match[0])
    for line in ranked[: len(ranked) - len(lines)]:
        year = re.search(r"\b(19|20)\d\d\b", line)
        if year:
            return None, int(year[0])
    return None, None


_TITLE_SKIP = re.compile(
    r"community safety partnership|publish|author|chair|^date|^version|^status|official|"
    r"confidential|protect|^page \d|commissioned by",
    re.IGNORECASE,
)


def title(pages: list[str], csp: str = "") -> str:
    """The title-page lines that name the report, joined ('Domestic Homicide Review ...')."""
    place = normalise_place(csp) if csp else None
    kept = [
        ln
        for ln in title_lines(pages)
        if not _TITLE_SKIP.search(ln) and not MONTH_YEAR.search(ln) and normalise_place(ln) != place
    ]
    return " ".join(kept[:4])

"""Find a report's recommendations: in its recommendations table, else in numbered lists.

Lists are read under every recommendations heading ("17. Recommendations", "17.1 Single
agency recommendations", "Overview (multi-agency) recommendations"), to the next section
of the report. Items are "1." (typed or Word's auto-numbering), "Recommendation 1:" or
"R1"; lines and bullets up to the next item are the item's. Text before the first item
("17.1 The review makes ten recommendations ...") is an introduction, not an item. An
agency's name on a line of its own is a sub-heading: the items under it are addressed to
it, unless their sentence names another body. Footnotes at a page's foot are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from search_service.corpus.agencies import has_agency_word
from search_service.corpus.pdf.addressees import sentence_addressees
from search_service.corpus.pdf.rec_tables import table_recommendations
from search_service.corpus.pdf.text import Dehyphenator
from search_service.model import Recommendation

# A section number ("17.", "17.2"), then a short title ending in "recommendations".
_HEADING = re.compile(
    r"^(?P<num>\d+(?:\.\d+)*\.\s*|\d+(?:\.\d+)*\s+|section\s+\d+\s*[:.-]?\s*)?"
    r"(?P<title>[A-Z(][\w\s()'\u2019,-]{0,60}?\s)?recommendations\s*:?$",
    re.IGNORECASE,
)
# A section for one agency: "17.1 Recommendations for Lambeth Council".
_FOR_HEADING = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s*)?recommendations\s+(?:for|to)\s+(?:the\s+)?(?P<agency>.+?)\s*:?$",
    re.IGNORECASE,
)
# Where a recommendations section ends: the report's next part.
_STOP = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:appendix|appendices|annex|glossary|references|bibliography|"
    r"conclusions?|lessons (?:to be )?learn|action plan|terms of reference|signed\b|"
    r"postscript|acknowledg|abbreviations|contents)",
    re.IGNORECASE,
)
_ITEM = re.compile(
    r"^(?:recommendation\s+(?P<a>\d+[a-z]?)\b\s*[:.)\-\u2013]?|(?P<b>\d+[a-z]?)[.)](?!\d)|"
    r"R(?P<c>\d+[a-z]?)\b\s*[:.)\-\u2013]?)\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
# A numbered heading of the report ("18. Appendix", "18. Next steps"): short, no full stop.
_NUMBERED_HEADING = re.compile(r"^(?P<num>\d+)(?:\.\s*|\s+)[A-Z][^.]{0,60}$")
_BULLET = re.compile(r"^[\uf0b7\u2022\u25aa\u25cf\uf0a7\uf0d8\u2023\u2043\u2219\u25e6]\s*")
_SENTENCE_END = re.compile(r"[.:;!?)\u201d\"']$")
_FOOTNOTE = re.compile(r"^(\d{1,3})\s+\S")
# A footnote's mark in the text: its number straight after a word or punctuation.
_FOOTNOTE_MARK = r"(?<=[a-z.,;:)\u2019\u201d]){n}(?!\d)"
_FOOTNOTE_LINES = 12


@dataclass
class _Item:
    number: str
    page: int
    lines: list[str]
    addressee: str  # the agency sub-heading it sits under, or ""


@dataclass
class _Section:
    items: list[_Item] = field(default_factory=list)
    addressee: str = ""
    after_subheading: bool = False


def without_footnotes(page: str) -> str:
    """A page's text without the footnotes at its foot (lines from a marked number on)."""
    lines = page.split("\n")
    start = max(0, len(lines) - _FOOTNOTE_LINES)
    body = "\n".join(lines[:start])
    for i in range(start, len(lines)):
        match = _FOOTNOTE.match(lines[i])
        if match and re.search(_FOOTNOTE_MARK.format(n=match[1]), body + "\n".join(lines[start:i])):
            return "\n".join(lines[:i])
    return page


def _is_heading(line: str, previous: str, following: str) -> re.Match[str] | None:
    # A heading is a paragraph of its own: a prose line ending "... the Recommendations"
    # carries on from the line above or onto the next ("section.").
    if previous and not _SENTENCE_END.search(previous) and not _HEADING.match(previous):
        return None
    if following[:1].islower() or len(line.split()) > 9:
        return None
    return _HEADING.match(line)


def _is_subheading(line: str, previous: str, following: str) -> bool:
    """An agency's name on a line of its own, between a finished item and a new one."""
    return (
        len(line) < 90
        and not _SENTENCE_END.search(line)
        and (not previous or bool(_SENTENCE_END.search(previous)) or bool(_HEADING.match(previous)))
        and bool(_ITEM.match(following))
        and has_agency_word(line)
    )


def _follows(number: str, previous: str | None) -> bool:
    """Whether an item number can come next ('2' after '1', '3a' after '3', '4' after '3b')."""
    if previous is None:
        return True
    n, p = int(re.match(r"\d+", number)[0]), int(re.match(r"\d+", previous)[0])
    return n == p + 1 or (n == p and number > previous)


def _lines(pages: list[str]) -> list[tuple[int, str]]:
    """(1-based page, line) of every non-empty line, footnotes left out."""
    return [
        (p, line.strip())
        for p, page in enumerate(pages, start=1)
        for line in without_footnotes(page).split("\n")
        if line.strip()
    ]


def _read_section(
    lines: list[tuple[int, str]], start: int, top: int | None
) -> tuple[_Section, int]:
    """Items from lines[start:] to the section's end; returns them and where it ended."""
    section = _Section()
    i = start
    while i < len(lines):
        page, line = lines[i]
        previous = lines[i - 1][1] if i else ""
        following = lines[i + 1][1] if i + 1 < len(lines) else ""
        heading = _is_heading(line, previous, following)
        agency = _FOR_HEADING.match(line) if heading is None else None
        if agency is not None and _SENTENCE_END.search(previous or "."):
            name = agency["agency"]
            if following and not _ITEM.match(following) and not _SENTENCE_END.search(following):
                name, i = f"{name} {following}", i + 1  # the heading wraps onto a second line
            section.addressee, section.after_subheading = name, True
        elif heading is not None:
            if not (heading["num"] or "").strip(" .").count(".") and section.items:
                break  # a new recommendations section of its own: read on its own
            section.addressee, section.after_subheading = "", True
        elif _STOP.match(line) and _SENTENCE_END.search(previous or "."):
            break
        elif (m := _NUMBERED_HEADING.match(line)) and top is not None and int(m["num"]) > top:
            break  # the report's next numbered section
        elif (item := _ITEM.match(line)) and _accepts(section, item):
            number = item["a"] or item["b"] or item["c"]
            section.items.append(_Item(number, page, [item["rest"]], section.addressee))
            section.after_subheading = False
        elif _is_subheading(line, previous, following):
            section.addressee, section.after_subheading = line, True
        elif section.items:
            section.items[-1].lines.append(_BULLET.sub("", line))
        i += 1
    return section, i


def _accepts(section: _Section, item: re.Match[str]) -> bool:
    number = item["a"] or item["b"] or item["c"]
    previous = section.items[-1].number if section.items else None
    # Numbering may start again under each agency's sub-heading.
    return _follows(number, previous) or (section.after_subheading and number in ("1", "1a"))


def numbered_recommendations(pages: list[str], dehyphenate: Dehyphenator) -> list[Recommendation]:
    """Items of every recommendations section (the last copy of a text repeated)."""
    lines = _lines(pages)
    items: list[_Item] = []
    i = 0
    while i < len(lines):
        following = lines[i + 1][1] if i + 1 < len(lines) else ""
        heading = _is_heading(lines[i][1], lines[i - 1][1] if i else "", following)
        if heading is None:
            i += 1
            continue
        number = (heading["num"] or "").strip(" .")
        top = int(number.split(".")[0]) if number[:1].isdigit() else None
        section, i = _read_section(lines, i + 1, top)
        items.extend(section.items)
    return _finish(items, dehyphenate)


def _finish(items: list[_Item], dehyphenate: Dehyphenator) -> list[Recommendation]:
    recs: dict[str, Recommendation] = {}
    for item in items:
        text = dehyphenate.cell("\n".join(item.lines))
        if not text:
            continue
        names = sentence_addressees(text) or ([item.addressee] if item.addressee else [])
        rec = Recommendation("", item.number, text, names, "; ".join(names), page=item.page)
        rec.source = "list"
        # A summary that repeats the recommendations word for word: the later copy stands.
        recs.pop(" ".join(text.split()), None)
        recs[" ".join(text.split())] = rec
    return list(recs.values())


def find_recommendations(
    path: Path, pages: list[str], dehyphenate: Dehyphenator, raw_pages: list[str]
) -> list[Recommendation]:
    """A report's recommendations: from its recommendations table, else its numbered lists."""
    # Tables are looked for on the raw pages: a header row repeated on every page of a long
    # table is a running line, gone from the cleaned text.
    return table_recommendations(path, raw_pages, dehyphenate) or numbered_recommendations(
        pages, dehyphenate
    )

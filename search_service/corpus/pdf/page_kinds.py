"""What kind of page a report page is: its text, or a contents page, glossary or index.

A contents page (dot leaders, page numbers in a column) or a glossary ("MARAC Multi-Agency
Risk Assessment Conference") matches many searches by its words alone; it stays
searchable but is marked, so ranking can put recommendations and prose above it.
"""

from __future__ import annotations

import re

TEXT, CONTENTS, GLOSSARY, INDEX = "text", "contents", "glossary", "index"
# Kinds that only list words found elsewhere in the report.
LISTS = (CONTENTS, GLOSSARY, INDEX)

_CONTENTS_HEADING = re.compile(r"^(?:table of )?contents$", re.I)
_GLOSSARY_HEADING = re.compile(
    r"^(?:appendix [a-z0-9]+[:.\s\u2013-]*)?(?:glossary|abbreviations|acronyms|"
    r"list of (?:abbreviations|acronyms|terms)|terms used|glossary of terms|"
    r"abbreviations and acronyms|acronyms and abbreviations)\b",
    re.I,
)
_INDEX_HEADING = re.compile(r"^index$", re.I)
# A contents line: a title, then dot leaders or a gap, then a page number.
_CONTENTS_LINE = re.compile(r"(?:\.{4,}|\u2026{2,}|\s{2,}|\t)\s*\d{1,3}\s*$|\.{4,}\s*\d{1,3}$")
_ENDS_WITH_PAGE = re.compile(r"\S\s+\d{1,3}$")
# A glossary line: an acronym or short term, then what it stands for.
_GLOSSARY_LINE = re.compile(
    r"^[A-Z][A-Za-z0-9&/ ().-]{0,24}?[A-Z0-9)]\s*[:\u2013\u2014=-]?\s+[A-Z]"
)
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&/]{1,9}\b")

_MIN_LINES = 5


def is_contents_line(line: str) -> bool:
    """Whether a stripped line ends as a contents line does: leaders or a gap, a page number."""
    # Only a line ending in a digit can; testing that first spares the pattern's scan of
    # every line of every page (once a sixth of a full build's main process).
    return line[-1:].isdigit() and _CONTENTS_LINE.search(line) is not None


def page_kind(text: str) -> str:
    """TEXT, or CONTENTS, GLOSSARY or INDEX for a page that lists words found elsewhere."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if len(lines) < 3:
        return TEXT
    head = lines[:3]
    listed = lines[1:] if len(lines) > 1 else lines
    leaders = sum(map(is_contents_line, lines))
    if any(_CONTENTS_HEADING.match(ln) for ln in head) and (
        leaders >= 3 or sum(1 for ln in listed if _ENDS_WITH_PAGE.search(ln)) >= len(listed) / 2
    ):
        return CONTENTS
    if leaders >= _MIN_LINES and leaders >= len(lines) * 0.4:
        return CONTENTS  # a contents page carried over from the page before, no heading
    acronyms = sum(1 for ln in lines if _ACRONYM.match(ln) and _GLOSSARY_LINE.match(ln))
    if any(_GLOSSARY_HEADING.match(ln) for ln in head) and acronyms >= 3:
        return GLOSSARY
    if acronyms >= _MIN_LINES and acronyms >= len(lines) * 0.5:
        return GLOSSARY  # a glossary's second page
    if any(_INDEX_HEADING.match(ln) for ln in head):
        numbered = sum(1 for ln in listed if re.search(r"\d{1,3}(?:,\s*\d{1,3})*$", ln))
        if numbered >= len(listed) / 2:
            return INDEX
    return TEXT

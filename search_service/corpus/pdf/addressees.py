"""Who a recommendation read from a report is addressed to: a table's agency cell, a
sub-heading naming an agency, or the subject of its sentence ("That Salford City Council ...").

A cell is split by the one rule for "Addressed to" cells (corpus/agencies.py and its data
files). Bodies a recommendation is only shared with ("Shared with: ...", "for information")
are not addressees.
"""

from __future__ import annotations

import re

from search_service.corpus.agencies import has_agency_word, split_addressees

# Where a cell or sentence moves on to bodies that are only told: not addressees.
_SHARED = re.compile(
    r"\(?\b(?:shared with|to be shared with|copied to|cc:|for information|for info\b|"
    r"for awareness|supported by|in partnership with|with support from|working with)",
    re.I,
)
ORG_SUFFIXES = (
    "Police|Constabulary|Council|Partnership|Trust|Service|Services|Board|Office|Team|Group|"
    "Authority|Agency|Department|Commissioner|Probation|Hospital|CCG|ICB|CSP|Practice|Centre|"
    "Unit|Association|Panel|Network|Foundation|Executive|Government|Ministry|College|England|"
    "Wales|Care"
)
_ORG = re.compile(
    r"(?:[A-Z][\w'\u2019&-]*\s+(?:(?:of|and|for|&|on|upon|the)\s+)?)*(?:" + ORG_SUFFIXES + r")\b"
)
# Capitalised sentence openers that are not part of an organisation's name.
_NOT_NAME = frozenset(
    {"That", "The", "This", "These", "All", "Each", "Every", "Both", "A", "An", "In", "On"}
    | {"For", "And", "Where", "When", "If", "It", "Local", "Recommendation", "Recommendations"}
    | {"Whilst", "While", "Also", "Further", "We", "Our", "Its"}
)
_OPENING = re.compile(r"^(?:it is recommended that|the review recommends that|that)\s+", re.I)


def cell_addressees(cell: str) -> list[str]:
    """A table's agency cell -> agency names as written, without bodies only shared with."""
    cell = _SHARED.split(cell, maxsplit=1)[0]
    cell = re.sub(r"^\s*(?:lead(?: agency)?|owner|agency)\s*:\s*", "", cell, flags=re.I)
    return split_addressees(cell.replace("\u2022", "\n").replace("\uf0b7", "\n"))


def agencies_in(text: str) -> list[str]:
    """Organisation names a sentence addresses, e.g. 'That Greater Manchester Police ...'."""
    found: list[str] = []
    for match in _ORG.finditer(text):
        words = match[0].split()
        while words and (words[0] in _NOT_NAME or words[0].islower()):
            words.pop(0)
        for name in split_addressees(" ".join(words)):
            if len(name.split()) > 1 and name not in found:
                found.append(name)
    return found


# The opening run of a sentence that names its subject: capitalised words, and the small
# words, commas and brackets between them ("NHS Bath and North East Somerset, Swindon and
# Wiltshire Integrated Care Board", "Probation Service (Wales)").
_SUBJECT = re.compile(
    r"(?:[A-Z0-9][\w'\u2019&.-]*|\([^)]{1,40}\))"
    r"(?:(?:\s+|,\s*)(?:(?:and|&|of|for|the|upon|on|in|with)\s+)*"
    r"(?:[A-Z0-9][\w'\u2019&.-]*|\([^)]{1,40}\)))*"
)
_PLAIN_BODIES = frozenset(
    {"practice", "practices", "services", "staff", "teams", "professionals", "agencies"}
    | {"partners", "providers", "commissioners", "workers", "officers", "surgeries", "leads"}
)
_ALL_AGENCIES = re.compile(r"^all (?:agencies|partner agencies|partners|organisations)\b", re.I)


def _subject(text: str) -> str:
    """The subject a recommendation's sentence opens with, as written."""
    text = _OPENING.sub("", text.strip())
    if match := _ALL_AGENCIES.match(text):
        return match[0]
    text = re.sub(r"^the\s+", "", text, flags=re.I)
    match = _SUBJECT.match(text)
    if not match:
        return ""
    # "GP practices should ...": the capitals were a modifier, not a body's name.
    following = text[match.end() :].split(maxsplit=1)
    if following and following[0].lower().rstrip(",") in _PLAIN_BODIES:
        return ""
    return match[0]


def sentence_addressees(text: str) -> list[str]:
    """The bodies a recommendation's sentence is addressed to: its subject's names."""
    # "That Salford City Council and Greater Manchester Police review ..." names both; a body
    # later in the sentence ("... refer to the MARAC Steering Group") is not an addressee,
    # and an opening verb ("Review its training ...") names nobody.
    subject = _subject(_SHARED.split(text, maxsplit=1)[0])
    return [name for name in split_addressees(subject) if has_agency_word(name)]

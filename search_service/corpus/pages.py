"""Parse a review summary page (the Home Office DHR Library layout) into a Review."""

from __future__ import annotations

import re

from search_service.corpus.agencies import split_addressees
from search_service.model import Recommendation, Review, parse_month_year

# Lines of page furniture that are never the title or part of the summary.
_FURNITURE = (
    "about this page",
    "source ·",
    "source:",
    "view full report",
    "statutory domestic homicide review",
    "extracted:",
)
_FIELD = re.compile(r"^(CSP|Published|Year of death)\s*:\s*(.*)$", re.IGNORECASE)
_NUMBER = re.compile(r"^[A-Za-z]{0,3}\s*\d+(?:[.)]\d+)*[a-z]?$")


class PageFormatError(ValueError):
    """The file is not a review page; the message says what was missing."""


def _clean(line: str) -> str:
    # The .md form of a page marks headings with '#'; the text form does not.
    return line.strip().lstrip("#").strip()


def _is_furniture(line: str) -> bool:
    low = line.lower()
    return any(low.startswith(f) for f in _FURNITURE)


def _split_row(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") else body
    return [cell.strip() for cell in body.split("|")]


def _table_rows(lines: list[str]) -> list[str]:
    # A row whose text wrapped onto following lines is open until a line ends with '|'. Its
    # lines are gathered in a list and joined once: adding each to a growing string made a
    # row that never closes quadratic (seconds for a page of 2 MB).
    rows: list[list[str]] = []
    open_row = False
    for line in lines:
        if line.startswith("|") and not open_row:
            rows.append([line])
        elif open_row:
            rows[-1].append(line)
        else:
            break  # prose after the table
        open_row = not line.rstrip().endswith("|")
    return [" ".join(parts) for parts in rows]


def _parse_table(lines: list[str], review_id: str) -> list[Recommendation]:
    recs: list[Recommendation] = []
    for row in _table_rows(lines):
        cells = _split_row(row)
        if len(cells) < 2 or set("".join(cells)) <= set("-: "):
            continue  # separator row |---|---|
        number = cells[0]
        if number == "#":
            continue  # header row
        if not _NUMBER.match(number):
            break  # the closing "Recommendations extracted from ..." row ends the table
        if len(cells) == 2:
            text, addressed_to = cells[1], ""
        else:
            text, addressed_to = "|".join(cells[1:-1]).strip(), cells[-1]
        recs.append(
            Recommendation(
                review_id=review_id,
                number=number,
                text=text,
                addressed_to=addressed_to,
                addressees=split_addressees(addressed_to),
            )
        )
    return recs


def parse_page(text: str, review_id: str) -> Review:
    """Parse the text of a review page; raise PageFormatError when it is not in the layout."""
    lines = [_clean(line) for line in text.replace("\r\n", "\n").split("\n")]
    review = Review(id=review_id)
    fields: dict[str, str] = {}
    first_field = None
    for i, line in enumerate(lines):
        m = _FIELD.match(line)
        if m and m.group(1).lower() not in fields:
            fields[m.group(1).lower()] = m.group(2).strip()
            first_field = i if first_field is None else first_field
    if "csp" not in fields:
        raise PageFormatError("not a review page: no 'CSP:' line")
    review.csp = fields["csp"]
    review.published_month, review.published_year = parse_month_year(fields.get("published", ""))
    _, review.year_of_death = parse_month_year(fields.get("year of death", ""))
    review.title = next(
        (ln for ln in reversed(lines[:first_field]) if ln and not _is_furniture(ln)),
        f"{review.csp} review",
    )

    lowered = [ln.lower() for ln in lines]
    summary_at = lowered.index("summary") if "summary" in lowered else None
    table_head = next(
        (i for i, ln in enumerate(lines) if ln.startswith("|") and "recommendation" in ln.lower()),
        None,
    )
    recs_heading = next(
        (
            i
            for i, ln in enumerate(lowered)
            if ln in ("extracted recommendations", "recommendations")
        ),
        None,
    )
    if summary_at is None and table_head is None:
        raise PageFormatError(
            "not a review page: no 'Summary' section and no recommendations table"
        )
    if summary_at is not None:
        end = min(
            x for x in (recs_heading, table_head, len(lines)) if x is not None and x > summary_at
        )
        paragraphs = [ln for ln in lines[summary_at + 1 : end] if ln and not _is_furniture(ln)]
        review.summary = "\n\n".join(paragraphs)
    if table_head is not None:
        body = [ln for ln in lines[table_head:] if ln]
        review.recommendations = _parse_table(body, review_id)
    return review

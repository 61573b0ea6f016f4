"""Query-string arguments -> a SearchRequest; a bad argument is a BadRequest that says why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from search_service.search.facets import FACETS, HIT_TYPES
from search_service.search.parse import MAX_QUERY_CHARS
from search_service.search.request import (
    FACET_SIZE,
    GROUPS,
    MAX_PER_PAGE,
    SORTS,
    YEAR_FIELDS,
    SearchRequest,
)


def int_arg(args: Mapping[str, str], name: str, default: int | None) -> int | None:
    """A whole-number argument (default when absent); BadRequest when it is not one."""
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be a whole number, not {raw[:40]!r}.") from None


def choice(args: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of choices (the first when absent); BadRequest for anything else."""
    value = args.get(name, "").strip() or choices[0]
    if value not in choices:
        raise BadRequest(f"'{name}' must be one of {', '.join(choices)}, not {value[:40]!r}.")
    return value


def _values(args: MultiDict, name: str) -> list[str]:
    return list(dict.fromkeys(v for v in args.getlist(name) if v.strip()))


def search_request(args: MultiDict, default_per_page: int = 20) -> SearchRequest:
    """Read a SearchRequest from query-string arguments; BadRequest says what is wrong."""
    filters = {name: _values(args, name) for name in FACETS}
    unknown = [t for t in filters["type"] if t not in HIT_TYPES]
    if unknown:
        raise BadRequest(f"Unknown type {unknown[0][:40]!r}: use one of {', '.join(HIT_TYPES)}.")
    # Each name's first value, in a plain dict: a MultiDict's get() of an absent name builds
    # and catches an HTTP exception, eight times a search.
    first = args.to_dict()
    per_page = int_arg(first, "per_page", default_per_page)
    return SearchRequest(
        q=first.get("q", ""),
        filters={name: values for name, values in filters.items() if values},
        year_from=int_arg(first, "year_from", None),
        year_to=int_arg(first, "year_to", None),
        year_field=choice(first, "year_field", YEAR_FIELDS),
        sort=choice(first, "sort", SORTS),
        group=choice(first, "group", GROUPS),
        page=max(1, int_arg(first, "page", 1)),
        per_page=max(1, min(per_page, MAX_PER_PAGE)),
        facet_size=_facet_size(first),
        correct=first.get("correct", "").strip() != "0",
    )


def _facet_size(args: Mapping[str, str]) -> int | None:
    raw = args.get("facet_size", "").strip()
    if not raw:
        return FACET_SIZE
    if raw == "max":
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise BadRequest(f"'facet_size' must be a whole number from 1, or max, not {raw[:40]!r}.")
    return int(raw)


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one field of the search form; field is the input's id."""

    field: str
    message: str


_YEAR_LABELS = {"year_from": "From", "year_to": "To"}


def search_errors(args: Mapping[str, str]) -> list[FieldError]:
    """The search form's mistakes, each said as GOV.UK error messages say them, by field."""
    errors = []
    q = args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        errors.append(
            FieldError(
                "q", f"Search must be {MAX_QUERY_CHARS:,} characters or fewer (it has {len(q):,})"
            )
        )
    years = {}
    for name, label in _YEAR_LABELS.items():
        raw = args.get(name, "").strip()
        if not raw:
            continue
        if raw.isascii() and raw.isdigit() and len(raw) == 4:
            years[name] = int(raw)
        else:
            errors.append(FieldError(name, f"{label} year must be a year of 4 digits, like 2019"))
    if len(years) == 2 and years["year_from"] > years["year_to"]:
        errors.append(
            FieldError("year_from", "From year must be the same as or before the to year")
        )
    return errors

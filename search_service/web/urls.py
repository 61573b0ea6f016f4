"""A search's state as URLs, in one place: every state of the UI is a URL (Datasette's rule)."""

from __future__ import annotations

import dataclasses
import functools
from urllib.parse import quote_plus, urlencode

from search_service.search.facets import FACETS
from search_service.search.request import FACET_SIZE, GROUPS, SORTS, YEAR_FIELDS, SearchRequest


def request_params(
    req: SearchRequest, page: int = 1, **filters: list[str]
) -> list[tuple[str, str]]:
    """Query-string pairs that reproduce req, with some facets changed: every state is a URL."""
    params: list[tuple[str, str]] = [("q", req.q)] if req.q else []
    for name in FACETS:
        params += [(name, v) for v in filters.get(name, req.chosen(name))]
    for name in ("year_from", "year_to"):
        if getattr(req, name) is not None:
            params.append((name, str(getattr(req, name))))
    if req.year_field != YEAR_FIELDS[0]:
        params.append(("year_field", req.year_field))
    if req.sort != SORTS[0]:
        params.append(("sort", req.sort))
    if req.group != GROUPS[0]:
        params.append(("group", req.group))
    if req.facet_size != FACET_SIZE:
        params.append(("facet_size", "max" if req.facet_size is None else str(req.facet_size)))
    if not req.correct:
        params.append(("correct", "0"))
    if page > 1:
        params.append(("page", str(page)))
    return params


def url_with(path: str, params: list[tuple[str, str]]) -> str:
    """path plus an encoded query string (none when there are no parameters)."""
    return f"{path}?{urlencode(params)}" if params else path


@functools.lru_cache(maxsize=16384)
def _quoted(value: str) -> str:
    return quote_plus(value)


def toggle_urls(path: str, req: SearchRequest):
    """(facet, value, selected) -> url_with(path, request_params(req, facet=toggled)), with
    every parameter encoded once per request, not once per facet and value (a facet lists up
    to ~1,200 values)."""
    # request_params' order: the query, each facet's values in FACETS order, then the rest.
    rest = request_params(req, **{name: [] for name in FACETS})
    head = urlencode(rest[:1]) if req.q else ""
    tail = urlencode(rest[1:] if req.q else rest)
    chosen = {
        name: "&".join(f"{_quoted(name)}={_quoted(v)}" for v in req.chosen(name)) for name in FACETS
    }
    names = list(FACETS)
    around: dict[str, tuple[str, str]] = {}

    def toggle_url(name: str, value: str, selected: bool) -> str:
        sides = around.get(name)
        if sides is None:
            at = names.index(name)
            before = (head, *(chosen[n] for n in names[:at]))
            after = (*(chosen[n] for n in names[at + 1 :]), tail)
            sides = around[name] = ("&".join(filter(None, before)), "&".join(filter(None, after)))
        values = req.chosen(name)
        toggled = [v for v in values if v != value] if selected else [*values, value]
        own = "&".join(f"{_quoted(name)}={_quoted(v)}" for v in toggled)
        query = "&".join(filter(None, (sides[0], own, sides[1])))
        return f"{path}?{query}" if query else path

    return toggle_url


def _option_links(req: SearchRequest, path: str, name: str, choices: tuple[str, ...]) -> list:
    return [
        {
            "value": value,
            "url": url_with(path, request_params(dataclasses.replace(req, **{name: value}))),
            "current": getattr(req, name) == value,
        }
        for value in choices
    ]


def view_links(req: SearchRequest, path: str = "/search") -> dict:
    """Links to the same search sorted, grouped, exported or charted another way."""
    same = request_params(req)
    # An export or chart covers every result, so it carries no page or grouping.
    whole = request_params(dataclasses.replace(req, group=GROUPS[0]))
    return {
        "sort": _option_links(req, path, "sort", SORTS),
        "group": _option_links(req, path, "group", GROUPS),
        "year_field": _option_links(req, path, "year_field", YEAR_FIELDS),
        "csv": url_with("/export.csv", whole),
        "json": url_with("/export.json", whole),
        "trends": url_with("/trends", whole),
        "trends_svg": url_with("/trends.svg", whole),
        "results": url_with("/search", same),
        # Settings the search and filter forms carry along (the query and facets they set).
        "keep": [(k, v) for k, v in same if k not in FACETS and k not in ("q", "page")],
    }

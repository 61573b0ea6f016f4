"""What only the HTML results page shows beside the shared data: facet panels, chips, paging."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from search_service.corpus.dhrd_values import FALSE_MEANS
from search_service.search.facets import FACETS, Facet
from search_service.search.parse import MAX_QUERY_CHARS
from search_service.search.request import FACET_SIZE, YEAR_FIELDS, SearchRequest
from search_service.web.urls import request_params, url_with, view_links

# Said wherever the DHRD's case characteristics are shown.
CASE_NOTE = (
    "From the Domestic Homicide Review Dataset (Cook & Cook, 2026, CC BY 4.0), for reviews "
    "linked to one of its incidents by CSP and year of death. "
    + FALSE_MEANS.replace("In the DHRD, False means", "\u201cNot indicated\u201d means")
)


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet as listed: its label, count, whether chosen, and the URL toggling it."""

    value: str
    label: str
    count: int
    selected: bool
    toggle_url: str


@dataclass(frozen=True)
class FacetPanel:
    """A facet as the page lists it (Datasette's facet result shape); templates only loop."""

    name: str
    label: str
    values: list[FacetValue]
    distinct: int  # how many values it has in all
    all_url: str | None  # the same search listing every value, when some are not shown
    group: str = ""  # "case": one of the DHRD's case characteristics, shown together
    find: str = ""  # what was typed in its "Find" box, when it has one
    findable: bool = False  # long enough to need one

    @property
    def selected(self) -> bool:
        """Whether any of its values is chosen."""
        return any(v.selected for v in self.values)


# A facet with more values than this gets a "Find" box (type to filter, with or without script).
FIND_FROM = 12


def facet_panels(data: dict, finds: dict[str, str] | None = None) -> list[FacetPanel]:
    """The search data's facets (with their toggle URLs set) as panels, in FACETS order."""
    finds = finds or {}
    panels = []
    for name, values in data["facets"].items():
        facet: Facet = FACETS[name]
        distinct = data["facet_distinct"][name]
        find = finds.get(name, "")
        if find:  # the values whose label holds what was typed, and any chosen one
            values = [
                v
                for v in values
                if v["selected"] or find.lower() in facet.value_label(v["value"]).lower()
            ]
        elif finds:  # counted in full for another facet's box: list as many as usual
            values = [v for i, v in enumerate(values) if i < FACET_SIZE or v["selected"]]
        more = data["facet_all_url"] if distinct > len(values) and not find else None
        listed = [
            FacetValue(
                v["value"],
                facet.value_label(v["value"]),
                v["count"],
                v["selected"],
                v["toggle_url"],
            )
            for v in values
        ]
        findable = distinct > FIND_FROM and not facet.order
        panels.append(
            FacetPanel(name, facet.label, listed, distinct, more, facet.group, find, findable)
        )
    return panels


def _year_chips(req: SearchRequest, path: str) -> list[dict]:
    """Tags for a chosen year range: a filter the user cannot see must not narrow results."""
    of = "Year of death" if req.year_field == "death" else "Year published"
    found = []
    for name, word in (("year_from", "from"), ("year_to", "to")):
        value = getattr(req, name)
        if value is not None:
            without = dataclasses.replace(req, **{name: None})
            found.append(
                {
                    "facet": name,
                    "label": f"{of} {word}",
                    "value": str(value),
                    "value_label": str(value),
                    "remove_url": url_with(path, request_params(without)),
                }
            )
    return found


def chips(req: SearchRequest, path: str) -> list[dict]:
    """A removable tag for every chosen facet value and year, naming its filter."""
    return [
        {
            "facet": name,
            "label": facet.label,
            "value": v,
            "value_label": facet.value_label(v),
            "remove_url": url_with(
                path, request_params(req, **{name: [x for x in req.chosen(name) if x != v]})
            ),
        }
        for name, facet in FACETS.items()
        for v in req.chosen(name)
    ] + _year_chips(req, path)


def add_page_furniture(
    data: dict, req: SearchRequest, path: str, demo: bool, finds: dict[str, str] | None = None
) -> None:
    """Facet panels, chips, paging links, the year fields and the other views of the search."""
    data["filters"] = {name: req.chosen(name) for name in FACETS}
    data.update(
        year_from=req.year_from, year_to=req.year_to, year_field=req.year_field, sort=req.sort
    )
    panels = facet_panels(data, finds)
    data["facet_panels"] = [p for p in panels if not p.group]
    data["case_panels"] = [p for p in panels if p.group == "case"]
    data["case_note"] = CASE_NOTE
    data["chips"] = chips(req, path)
    data["active_filters"] = len(data["chips"])
    data["typed"] = {
        "year_from": "" if req.year_from is None else str(req.year_from),
        "year_to": "" if req.year_to is None else str(req.year_to),
    }
    data.setdefault("errors", [])
    data.setdefault("field_errors", {})
    data["max_query_chars"] = MAX_QUERY_CHARS
    data["clear_url"] = url_with(path, [("q", req.q)] if req.q else [])
    page = data["page"]
    data["prev_url"] = url_with(path, request_params(req, page=page - 1)) if page > 1 else None
    data["next_url"] = (
        url_with(path, request_params(req, page=page + 1)) if page < data["pages"] else None
    )
    data["demo"] = demo
    data["views"] = view_links(req, path)


def error_page_data(args: MultiDict, errors: list, demo: bool) -> dict:
    """The search page for a form with mistakes: the summary, each field as typed, no results."""
    field_errors: dict[str, str] = {}
    for error in errors:
        field_errors.setdefault(error.field, error.message)
    year_field = args.get("year_field", "death")
    return {
        "errors": errors,
        "field_errors": field_errors,
        "query": args.get("q", ""),
        "typed": {name: args.get(name, "") for name in ("year_from", "year_to")},
        "year_field": year_field if year_field in YEAR_FIELDS else YEAR_FIELDS[0],
        "filters": {name: args.getlist(name) for name in FACETS if args.getlist(name)},
        "views": {"keep": []},
        "facet_panels": [],
        "case_panels": [],
        "case_note": CASE_NOTE,
        "notes": [],
        "active_filters": 0,
        "filters_open": any(f in field_errors for f in ("year_from", "year_to")),
        "max_query_chars": MAX_QUERY_CHARS,
        "demo": demo,
    }

"""What only the HTML results page shows beside the shared data: facet panels, chips, paging."""

from __future__ import annotations

from dataclasses import dataclass

from search_service.corpus.dhrd_values import FALSE_MEANS
from search_service.search.facets import FACETS, Facet
from search_service.search.request import SearchRequest
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

    @property
    def selected(self) -> bool:
        """Whether any of its values is chosen."""
        return any(v.selected for v in self.values)


def facet_panels(data: dict) -> list[FacetPanel]:
    """The search data's facets (with their toggle URLs set) as panels, in FACETS order."""
    panels = []
    for name, values in data["facets"].items():
        facet: Facet = FACETS[name]
        distinct = data["facet_distinct"][name]
        more = data["facet_all_url"] if distinct > len(values) else None
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
        panels.append(FacetPanel(name, facet.label, listed, distinct, more, facet.group))
    return panels


def chips(req: SearchRequest, path: str) -> list[dict]:
    """A removable tag for every chosen facet value, naming its facet."""
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
    ]


def add_page_furniture(data: dict, req: SearchRequest, path: str, demo: bool) -> None:
    """Facet panels, chips, paging links, the year fields and the other views of the search."""
    data["filters"] = {name: req.chosen(name) for name in FACETS}
    data.update(
        year_from=req.year_from, year_to=req.year_to, year_field=req.year_field, sort=req.sort
    )
    panels = facet_panels(data)
    data["facet_panels"] = [p for p in panels if not p.group]
    data["case_panels"] = [p for p in panels if p.group == "case"]
    data["case_note"] = CASE_NOTE
    data["chips"] = chips(req, path)
    data["clear_url"] = url_with(path, [("q", req.q)] if req.q else [])
    page = data["page"]
    data["prev_url"] = url_with(path, request_params(req, page=page - 1)) if page > 1 else None
    data["next_url"] = (
        url_with(path, request_params(req, page=page + 1)) if page < data["pages"] else None
    )
    data["demo"] = demo
    data["views"] = view_links(req, path)

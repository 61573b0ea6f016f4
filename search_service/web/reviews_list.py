"""/reviews and /api/reviews: every review in the library, sorted, filtered and paged.

One data dict, rendered as an accessible table or returned as JSON (Datasette's rule). A bad
argument is a 400: JSON under /api/, and on the page an error summary above the form, which
keeps what was typed.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from search_service.search.library import (
    LIST_MAX_PAGE,
    LIST_MAX_PER_PAGE,
    LIST_PER_PAGE,
    LIST_SORTS,
    ListRequest,
    list_reviews,
)
from search_service.search.request import YEAR_FIELDS
from search_service.web.context import demo, handle
from search_service.web.urls import url_with

bp = Blueprint("reviews_list", __name__)

SORT_LABELS = {"newest": "Newest", "oldest": "Oldest", "title": "Title", "csp": "CSP"}
NO_FILTERS = {"regions": (), "csps": (), "year_from": None, "year_to": None}
# Which form field each argument's error points to (the error summary links to it).
FIELD_IDS = {
    "year_from": "year_from",
    "year_to": "year_to",
    "year_field": "year_field",
    "sort": "filters-heading",
    "page": "filters-heading",
    "per_page": "filters-heading",
}


class ListArgumentError(BadRequest):
    """Bad /reviews arguments: every problem found, each with the argument it is about."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(" ".join(message for _, message in errors))
        self.errors = errors


def _values(args: MultiDict, name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in args.getlist(name) if v.strip()))


def list_request(args: MultiDict, form: bool = False) -> ListRequest:
    """Read a ListRequest from query-string arguments; ListArgumentError lists what is wrong.

    form: the page's form, where a reversed year range is a mistake to point out; in the
    API it is a range no review is in (as /api/search reads it), so a valid request of
    valid parameters is never refused."""
    errors: list[tuple[str, str]] = []

    def whole(name: str, default: int | None, low: int, high: int) -> int | None:
        raw = args.get(name, "").strip()
        if not raw:
            return default
        # Digits only, and few of them: int() of thousands of digits is slow, then refused.
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 9) or not low <= int(raw) <= high:
            message = f"'{name}' must be a whole number from {low} to {high}, not {raw[:40]!r}."
            errors.append((name, message))
            return default
        return int(raw)

    def one_of(name: str, choices: tuple[str, ...]) -> str:
        raw = args.get(name, "").strip() or choices[0]
        if raw not in choices:
            errors.append(
                (name, f"'{name}' must be one of {', '.join(choices)}, not {raw[:40]!r}.")
            )
            return choices[0]
        return raw

    year_from = whole("year_from", None, 1000, 9999)
    year_to = whole("year_to", None, 1000, 9999)
    if form and year_from is not None and year_to is not None and year_from > year_to:
        message = f"'year_to' ({year_to}) must not be before 'year_from' ({year_from})."
        errors.append(("year_to", message))
    req = ListRequest(
        regions=_values(args, "region"),
        csps=_values(args, "csp"),
        year_from=year_from,
        year_to=year_to,
        year_field=one_of("year_field", YEAR_FIELDS),
        sort=one_of("sort", LIST_SORTS),
        page=whole("page", 1, 1, LIST_MAX_PAGE) or 1,
        per_page=whole("per_page", LIST_PER_PAGE, 1, LIST_MAX_PER_PAGE) or LIST_PER_PAGE,
    )
    if errors:
        raise ListArgumentError(errors)
    return req


def list_params(req: ListRequest, page: int = 1, **changes) -> list[tuple[str, str]]:
    """Query-string pairs that reproduce req (defaults left out), with some values changed."""
    values = {**req.__dict__, **changes}
    params = [("region", v) for v in values["regions"]] + [("csp", v) for v in values["csps"]]
    for name in ("year_from", "year_to"):
        if values[name] is not None:
            params.append((name, str(values[name])))
    if values["year_field"] != YEAR_FIELDS[0]:
        params.append(("year_field", values["year_field"]))
    if values["sort"] != LIST_SORTS[0]:
        params.append(("sort", values["sort"]))
    if values["per_page"] != LIST_PER_PAGE:
        params.append(("per_page", str(values["per_page"])))
    if page > 1:
        params.append(("page", str(page)))
    return params


def reviews_data(req: ListRequest, path: str) -> dict:
    """The one data dict /reviews renders and /api/reviews returns."""
    data = list_reviews(handle(), req)
    page, pages = data["page"], data["pages"]
    data["prev_url"] = url_with(path, list_params(req, page - 1)) if page > 1 else None
    data["next_url"] = url_with(path, list_params(req, page + 1)) if page < pages else None
    return data


def pagination(req: ListRequest, pages: int, path: str) -> list[dict]:
    """GOV.UK-style page links: the first, the last, the current and its neighbours, with gaps."""
    shown = sorted({1, pages, req.page - 1, req.page, req.page + 1} & set(range(1, pages + 1)))
    items: list[dict] = []
    for number in shown:
        if items and number > items[-1]["number"] + 1:
            items.append({"number": number - 1, "ellipsis": True})
        items.append(
            {
                "number": number,
                "url": url_with(path, list_params(req, number)),
                "current": number == req.page,
                "ellipsis": False,
            }
        )
    return items


@bp.route("/reviews")
def reviews_page():
    """Every review as a table: sortable, filterable by region, CSP and years, paged."""
    try:
        req = list_request(request.args, form=True)
    except ListArgumentError as exc:
        # The page again, with what was typed and what is wrong with it, but no table.
        data = list_reviews(handle(), ListRequest(per_page=1))
        return render_template(
            "reviews.html",
            **data,
            errors=[{"message": m, "field": FIELD_IDS.get(name, name)} for name, m in exc.errors],
            field_errors={name: m for name, m in exc.errors},
            typed=request.args,
            chosen={"region": _values(request.args, "region"), "csp": _values(request.args, "csp")},
            sorts=[],
            pages_nav=[],
            sort_labels=SORT_LABELS,
            demo=demo(),
        ), 400
    data = reviews_data(req, "/reviews")
    sorts = [
        {
            "value": value,
            "url": url_with("/reviews", list_params(req, sort=value)),
            "current": req.sort == value,
        }
        for value in LIST_SORTS
    ]
    return render_template(
        "reviews.html",
        **data,
        errors=[],
        field_errors={},
        json_url=url_with("/api/reviews", list_params(req, req.page)),
        typed=MultiDict(list_params(req)),
        chosen={"region": req.regions, "csp": req.csps},
        sorts=sorts,
        pages_nav=pagination(req, data["pages"], "/reviews") if data["pages"] > 1 else [],
        sort_labels=SORT_LABELS,
        demo=demo(),
        clear_url=url_with(
            "/reviews", list_params(req, regions=(), csps=(), year_from=None, year_to=None)
        ),  # fmt: skip
    )


@bp.route("/api/reviews")
def reviews_api():
    """Every review as JSON, one page at a time (same arguments as /reviews)."""
    return jsonify(reviews_data(list_request(request.args), "/api/reviews"))

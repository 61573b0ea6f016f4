"""HTTP routes: each view builds one data dict and renders it as HTML or JSON."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote_plus, urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    InternalServerError,
    NotFound,
    ServiceUnavailable,
)

from . import export as exports
from .facets import FACETS, HIT_TYPES
from .index import IndexHandle, IndexMissingError
from .openapi import openapi_document
from .query import FACET_SIZE, GROUPS, SORTS, YEAR_FIELDS, QueryError, SearchRequest
from .search import (
    EXPORT_COLUMNS,
    MAX_PER_PAGE,
    export,
    get_review,
    group_by_review,
    health,
    report_path,
    reviews_per_year,
    run_search,
    similar_recommendations,
)
from .trends import YEAR_FIELD_LABELS, render_svg

bp = Blueprint("web", __name__)


def handle() -> IndexHandle:
    """The app's shared index handle."""
    return current_app.extensions["dhr_index"]


def _int_arg(args: Mapping[str, str], name: str, default: int | None) -> int | None:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be a whole number, not {raw[:40]!r}.") from None


def _choice(args: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = args.get(name, "").strip() or choices[0]
    if value not in choices:
        raise BadRequest(f"'{name}' must be one of {', '.join(choices)}, not {value[:40]!r}.")
    return value


def _values(args: MultiDict, name: str) -> list[str]:
    return list(dict.fromkeys(v for v in args.getlist(name) if v.strip()))


def search_request(args: MultiDict) -> SearchRequest:
    """Read a SearchRequest from query-string arguments; BadRequest says what is wrong."""
    filters = {name: _values(args, name) for name in FACETS}
    unknown = [t for t in filters["type"] if t not in HIT_TYPES]
    if unknown:
        raise BadRequest(f"Unknown type {unknown[0][:40]!r}: use one of {', '.join(HIT_TYPES)}.")
    # Each name's first value, in a plain dict: a MultiDict's get() of an absent name builds
    # and catches an HTTP exception, eight times a search.
    first = args.to_dict()
    per_page = _int_arg(first, "per_page", current_app.config["DEFAULT_PER_PAGE"])
    return SearchRequest(
        q=first.get("q", ""),
        filters={name: values for name, values in filters.items() if values},
        year_from=_int_arg(first, "year_from", None),
        year_to=_int_arg(first, "year_to", None),
        year_field=_choice(first, "year_field", YEAR_FIELDS),
        sort=_choice(first, "sort", SORTS),
        group=_choice(first, "group", GROUPS),
        page=max(1, _int_arg(first, "page", 1)),
        per_page=max(1, min(per_page, MAX_PER_PAGE)),
        facet_size=_facet_size(first),
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
    if page > 1:
        params.append(("page", str(page)))
    return params


def url_with(path: str, params: list[tuple[str, str]]) -> str:
    """path plus an encoded query string (none when there are no parameters)."""
    return f"{path}?{urlencode(params)}" if params else path


@functools.lru_cache(maxsize=16384)
def _quoted(value: str) -> str:
    return quote_plus(value)


def _toggle_urls(path: str, req: SearchRequest):
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


def search_data(path: str = "/search", page: bool = True, args: MultiDict | None = None) -> dict:
    """Run the search the request asks for (its args, or these), with the URLs to move between
    its states; with page, also what only the HTML page shows (chips, paging links, views)."""
    req = search_request(request.args if args is None else args)
    try:
        if req.group == "review":
            data = group_by_review(handle(), req)
        else:
            data = run_search(
                handle(),
                req,
                time_limit=current_app.config["SEARCH_TIME_LIMIT"],
                max_expansions=current_app.config["MAX_EXPANSIONS"],
            )
    except QueryError as exc:
        raise BadRequest(str(exc)) from None
    data.setdefault("group", req.group)
    toggle_url = _toggle_urls(path, req)
    for name, values in data["facets"].items():
        for item in values:
            item["toggle_url"] = toggle_url(name, item["value"], item["selected"])
    # Facets list their most frequent values; this URL is the same search listing them all.
    truncated = any(
        len(values) < data["facet_distinct"][name] for name, values in data["facets"].items()
    )
    all_values = dataclasses.replace(req, facet_size=None)
    data["facet_all_url"] = (
        url_with(path, request_params(all_values, page=req.page)) if truncated else None
    )
    if data["suggestion"]:
        data["suggestion_url"] = url_with(
            path, request_params(dataclasses.replace(req, q=data["suggestion"]))
        )
    g.search_total = data["total"]  # for the access log
    if page:
        _add_page_furniture(data, req, path)
    return data


def _add_page_furniture(data: dict, req: SearchRequest, path: str) -> None:
    """Filters as chips, paging links, the year fields and the other views of the search."""
    data["filters"] = {name: req.chosen(name) for name in FACETS}
    data.update(
        year_from=req.year_from, year_to=req.year_to, year_field=req.year_field, sort=req.sort
    )
    data["chips"] = [
        {
            "facet": name,
            "value": v,
            "remove_url": url_with(
                path, request_params(req, **{name: [x for x in req.chosen(name) if x != v]})
            ),
        }
        for name in FACETS
        for v in req.chosen(name)
    ]
    data["clear_url"] = url_with(path, [("q", req.q)] if req.q else [])
    page = data["page"]
    data["prev_url"] = url_with(path, request_params(req, page=page - 1)) if page > 1 else None
    data["next_url"] = (
        url_with(path, request_params(req, page=page + 1)) if page < data["pages"] else None
    )
    data["demo"] = handle().meta.get("synthetic_reviews", 0) > 0
    data["views"] = view_links(req, path)


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


@bp.route("/")
def home():
    """The search page is the home page."""
    return redirect(url_for("web.search_page"))


@bp.route("/search")
def search_page():
    """Search results as HTML."""
    return render_template("search.html", **search_data("/search"))


@bp.route("/api/search")
def search_api():
    """Search results as JSON."""
    # The data and the facet toggle URLs, without the page's furniture.
    return jsonify(search_data("/api/search", page=False))


@bp.route("/reviews/<review_id>")
def review_page(review_id: str):
    """One review: metadata, summary, every recommendation, and similar ones elsewhere."""
    review = _review_or_404(review_id)
    # ?similar=N shows what reads like recommendation N; without it, like the whole review.
    number = request.args.get("similar", "").strip() or None
    if number is not None and not any(r.get("number") == number for r in review["recommendations"]):
        number = None
    similar = similar_recommendations(handle(), review_id, number)
    return render_template(
        "review.html",
        review=review,
        demo=review["synthetic"],
        similar=similar,
        similar_to=number,
    )


@bp.route("/api/reviews/<review_id>")
def review_api(review_id: str):
    """One review as JSON."""
    return jsonify(_review_or_404(review_id))


@bp.route("/reports/<review_id>.pdf")
def report_pdf(review_id: str):
    """The report PDF of a review, looked up by id in the index (never a path from the request)."""
    path = report_path(handle(), review_id)
    if path is None or not Path(path).is_file():
        raise NotFound("There is no report PDF for this review.")
    return send_file(
        path, mimetype="application/pdf", download_name=f"{review_id}.pdf", conditional=True
    )


def _review_or_404(review_id: str) -> dict:
    review = get_review(handle(), review_id)
    if review is None:
        raise NotFound(f"There is no review with the id {review_id!r}.")
    return review


@bp.route("/api/reviews/<review_id>/similar")
def similar_api(review_id: str):
    """Recommendations in other reviews like this review's (or its recommendation `number`)."""
    review = _review_or_404(review_id)
    number = request.args.get("number", "").strip() or None
    if number is not None and not any(r.get("number") == number for r in review["recommendations"]):
        raise NotFound(f"Review {review_id!r} has no recommendation {number[:40]!r}.")
    limit = max(1, min(_int_arg(request.args, "limit", 5), 50))
    hits = similar_recommendations(handle(), review_id, number, limit=limit)
    return jsonify({"review_id": review_id, "number": number, "hits": hits})


def trend_data() -> tuple[SearchRequest, dict]:
    """The request and its matching reviews per year."""
    req = search_request(request.args)
    try:
        return req, reviews_per_year(handle(), req)
    except QueryError as exc:
        raise BadRequest(str(exc)) from None


def _trend_title(req: SearchRequest) -> str:
    label = YEAR_FIELD_LABELS[req.year_field]
    about = f"for “{req.q}”" if req.q else "for every review"
    return f"Matching reviews by {label} {about}"


@bp.route("/trends")
def trends_page():
    """Matching reviews per year as an SVG bar chart with the same numbers as a table."""
    req, data = trend_data()
    title = _trend_title(req)
    svg = Markup(render_svg(data["years"], title, req.year_field))  # every text inside is escaped
    return render_template(
        "trends.html",
        req=req,
        trend=data,
        title=title,
        svg=svg,
        views=view_links(req, "/trends"),
        year_label=YEAR_FIELD_LABELS[req.year_field],
        chips=[(name, v) for name in FACETS for v in req.chosen(name)],
        demo=handle().meta.get("synthetic_reviews", 0) > 0,
    )


@bp.route("/trends.svg")
def trends_svg():
    """The chart alone, as an SVG file people can put in a report."""
    req, data = trend_data()
    svg = render_svg(data["years"], _trend_title(req), req.year_field)
    return Response(svg, mimetype="image/svg+xml")


@bp.route("/api/trends")
def trends_api():
    """Matching reviews per year as JSON."""
    return jsonify(trend_data()[1])


def _export_response(fmt: str) -> Response:
    req = search_request(request.args)
    try:
        result = export(handle(), req, base_url=request.host_url)
    except QueryError as exc:
        raise BadRequest(str(exc)) from None
    if fmt == "csv":
        body = exports.csv_pieces(EXPORT_COLUMNS, result.rows)
        mimetype = "text/csv"
    else:
        header = {
            "query": req.q,
            "filters": {name: req.chosen(name) for name in FACETS if req.chosen(name)},
            "sort": req.sort,
            "exported_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "total": result.total,
            "columns": list(EXPORT_COLUMNS),
        }
        body = exports.json_pieces(header, result.rows)
        mimetype = "application/json"
    response = Response(body, mimetype=mimetype)
    name = exports.filename(req.q, fmt)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Total-Count"] = str(result.total)
    return response


@bp.route("/export.csv")
def export_csv():
    """Every result of a search (not one page) as CSV, streamed."""
    return _export_response("csv")


@bp.route("/export.json")
def export_json():
    """Every result of a search (not one page) as JSON, streamed."""
    return _export_response("json")


@bp.route("/api/export")
def export_api():
    """Every result of a search as CSV or JSON (format=csv|json), streamed."""
    return _export_response(_choice(request.args, "format", ("csv", "json")))


@bp.route("/api/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of the JSON API."""
    return jsonify(openapi_document())


@bp.route("/help")
def help_page():
    """How to write a query, with examples that run live searches."""
    examples = [{**ex, "url": url_with("/search", [("q", ex["q"])])} for ex in HELP_EXAMPLES]
    literal_url = url_with("/search", [("q", "=MARAC")])
    return render_template("help.html", examples=examples, literal_url=literal_url)


# Each example is a real search a user can open, with what it shows them.
HELP_EXAMPLES = (
    {"q": "marac referral", "says": "Both words, in any form: referral, referrals, referred."},
    {"q": '"forensic curiosity"', "says": "The exact phrase."},
    {"q": "marac OR idva", "says": "Either word."},
    {"q": "training NOT police", "says": "Texts about training that do not mention police."},
    {"q": "training -police", "says": "The same, written with a minus sign."},
    {"q": "(marac OR idva) housing", "says": "Brackets group words: housing, with MARAC or IDVA."},
    {"q": "csp:bolton", "says": "Reviews of one Community Safety Partnership."},
    {"q": 'addressee:"probation trust"', "says": "Recommendations addressed to an agency."},
    {"q": "sector:police", "says": "Recommendations addressed to a sector."},
    {"q": "safeguard*", "says": "Words starting with safeguard: safeguarding, safeguards."},
    {"q": "MARAC", "says": "The acronym and its name: Multi-Agency Risk Assessment Conference."},
    {"q": "=MARAC", "says": "Only the acronym as typed, without its name."},
)


@bp.route("/healthz")
def healthz():
    """Liveness and index counts."""
    return jsonify(health(handle()))


def render_error(exc: HTTPException):
    """One error handler: JSON under /api/ (and /healthz), an HTML page elsewhere."""
    code = exc.code or 500
    message = exc.description if code < 500 else "Something went wrong on our side."
    if isinstance(exc, ServiceUnavailable):
        message = exc.description
    if request.path.startswith("/api/") or request.path == "/healthz":
        return jsonify({"error": {"code": code, "message": message}}), code
    return render_template("error.html", code=code, name=exc.name, message=message), code


def index_missing(exc: IndexMissingError):
    """No index yet: say how to build one (503, not a crash)."""
    return render_error(
        ServiceUnavailable(str(exc).replace(str(handle().index_dir), "the index folder"))
    )


def unexpected(exc: Exception):
    """Anything else: log it and show a plain 500 page with no trace or path."""
    if isinstance(exc, HTTPException):
        return render_error(exc)
    current_app.logger.exception("unhandled error on %s", request.path)
    return render_error(InternalServerError())

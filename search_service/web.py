"""HTTP routes: each view builds one data dict and renders it as HTML or JSON."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import (
    Blueprint,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    InternalServerError,
    NotFound,
    ServiceUnavailable,
)

from .facets import FACETS, HIT_TYPES
from .index import IndexHandle, IndexMissingError
from .query import SORTS, YEAR_FIELDS, QueryError, SearchRequest
from .search import MAX_PER_PAGE, get_review, health, run_search

bp = Blueprint("web", __name__)


def handle() -> IndexHandle:
    """The app's shared index handle."""
    return current_app.extensions["dhr_index"]


def _int_arg(args: MultiDict, name: str, default: int | None) -> int | None:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be a whole number, not {raw[:40]!r}.") from None


def _choice(args: MultiDict, name: str, choices: tuple[str, ...]) -> str:
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
    per_page = _int_arg(args, "per_page", current_app.config["DEFAULT_PER_PAGE"])
    return SearchRequest(
        q=args.get("q", ""),
        filters={name: values for name, values in filters.items() if values},
        year_from=_int_arg(args, "year_from", None),
        year_to=_int_arg(args, "year_to", None),
        year_field=_choice(args, "year_field", YEAR_FIELDS),
        sort=_choice(args, "sort", SORTS),
        page=max(1, _int_arg(args, "page", 1)),
        per_page=max(1, min(per_page, MAX_PER_PAGE)),
    )


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
    if page > 1:
        params.append(("page", str(page)))
    return params


def url_with(path: str, params: list[tuple[str, str]]) -> str:
    """path plus an encoded query string (none when there are no parameters)."""
    return f"{path}?{urlencode(params)}" if params else path


def search_data(path: str = "/search") -> dict:
    """Run the search the request asks for and add the URLs a page needs to move around."""
    req = search_request(request.args)
    try:
        data = run_search(
            handle(),
            req,
            time_limit=current_app.config["SEARCH_TIME_LIMIT"],
            max_expansions=current_app.config["MAX_EXPANSIONS"],
        )
    except QueryError as exc:
        raise BadRequest(str(exc)) from None
    for name, values in data["facets"].items():
        chosen = req.chosen(name)
        for item in values:
            toggled = (
                [v for v in chosen if v != item["value"]]
                if item["selected"]
                else [*chosen, item["value"]]
            )
            item["toggle_url"] = url_with(path, request_params(req, **{name: toggled}))
    data["filters"] = {name: req.chosen(name) for name in FACETS}
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
    g.search_total = data["total"]  # for the access log
    return data


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
    data = search_data("/api/search")
    for key in ("chips", "clear_url", "prev_url", "next_url", "filters"):
        data.pop(key, None)
    return jsonify(data)


@bp.route("/reviews/<review_id>")
def review_page(review_id: str):
    """One review: metadata, summary and every recommendation."""
    review = get_review(handle(), review_id)
    if review is None:
        raise NotFound(f"There is no review with the id {review_id!r}.")
    return render_template("review.html", review=review, demo=review["synthetic"])


@bp.route("/api/reviews/<review_id>")
def review_api(review_id: str):
    """One review as JSON."""
    review = get_review(handle(), review_id)
    if review is None:
        raise NotFound(f"There is no review with the id {review_id!r}.")
    return jsonify(review)


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

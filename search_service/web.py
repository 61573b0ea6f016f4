"""HTTP routes: each view builds one data dict and renders it as HTML or JSON."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import (
    Blueprint,
    current_app,
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

from .index import IndexHandle, IndexMissingError
from .search import (
    FACETS,
    MAX_PER_PAGE,
    QueryError,
    SearchRequest,
    get_review,
    health,
    run_search,
)

bp = Blueprint("web", __name__)
HIT_TYPES = ("recommendation", "summary", "passage")


def handle() -> IndexHandle:
    """The app's shared index handle."""
    return current_app.extensions["dhr_index"]


def _int_arg(args: MultiDict, name: str, default: int) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be a whole number, not {raw[:40]!r}.") from None


def search_request(args: MultiDict) -> SearchRequest:
    """Read a SearchRequest from query-string arguments; BadRequest says what is wrong."""
    types = [t for t in args.getlist("type") if t]
    unknown = [t for t in types if t not in HIT_TYPES]
    if unknown:
        raise BadRequest(f"Unknown type {unknown[0][:40]!r}: use one of {', '.join(HIT_TYPES)}.")
    per_page = _int_arg(args, "per_page", current_app.config["DEFAULT_PER_PAGE"])
    return SearchRequest(
        q=args.get("q", ""),
        addressee=_values(args, "addressee"),
        csp=_values(args, "csp"),
        type=types,
        page=max(1, _int_arg(args, "page", 1)),
        per_page=max(1, min(per_page, MAX_PER_PAGE)),
    )


def _values(args: MultiDict, name: str) -> list[str]:
    return list(dict.fromkeys(v for v in args.getlist(name) if v.strip()))


def _url(path: str, params: list[tuple[str, str]]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def _params(req: SearchRequest, **changes) -> list[tuple[str, str]]:
    values = {"q": req.q, "page": req.page, **changes}
    params: list[tuple[str, str]] = []
    if values["q"]:
        params.append(("q", values["q"]))
    for name in FACETS:
        params += [(name, v) for v in values.get(name, getattr(req, name))]
    if values["page"] and values["page"] > 1:
        params.append(("page", str(values["page"])))
    return params


def search_data(path: str = "/search") -> dict:
    """Run the search the request asks for and add the URLs a page needs to move around."""
    req = search_request(request.args)
    try:
        data = run_search(handle(), req)
    except QueryError as exc:
        raise BadRequest(str(exc)) from None
    for name, values in data["facets"].items():
        chosen = getattr(req, name)
        for item in values:
            toggled = (
                [v for v in chosen if v != item["value"]]
                if item["selected"]
                else [*chosen, item["value"]]
            )
            item["toggle_url"] = _url(path, _params(req, page=1, **{name: toggled}))
    data["filters"] = {name: getattr(req, name) for name in FACETS}
    data["chips"] = [
        {
            "facet": name,
            "value": v,
            "remove_url": _url(
                path, _params(req, page=1, **{name: [x for x in getattr(req, name) if x != v]})
            ),
        }
        for name in FACETS
        for v in getattr(req, name)
    ]
    data["clear_url"] = _url(path, [("q", req.q)] if req.q else [])
    page = data["page"]
    data["prev_url"] = _url(path, _params(req, page=page - 1)) if page > 1 else None
    data["next_url"] = _url(path, _params(req, page=page + 1)) if page < data["pages"] else None
    data["demo"] = handle().meta.get("synthetic_reviews", 0) > 0
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

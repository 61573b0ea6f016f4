"""HTTP routes: each view builds one data dict and renders it as HTML or JSON."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from urllib.parse import quote

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
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    InternalServerError,
    NotFound,
    ServiceUnavailable,
)

from search_service.corpus.dhrd_values import CITATION, FALSE_MEANS
from search_service.index.versions import IndexMissingError
from search_service.links import safe_back
from search_service.search.facets import FACETS
from search_service.search.hits import CSV_EXPORT_COLUMNS, EXPORT_COLUMNS
from search_service.search.limits import PARTIAL_NOTE, Deadline
from search_service.search.overview import library_overview
from search_service.search.request import QueryError
from search_service.search.reviews import (
    health,
    report_path,
    similar_recommendations,
)
from search_service.search.service import export, group_by_review, run_search
from search_service.web import export as exports
from search_service.web.arguments import (
    FieldError,
    choice,
    int_arg,
    search_errors,
)
from search_service.web.citations import citation, citation_text
from search_service.web.context import demo, handle, limits, request_from, review_or_404
from search_service.web.openapi import openapi_document
from search_service.web.page import add_page_furniture, error_page_data
from search_service.web.review_page import recommendation_pages, similar_to_whole_review
from search_service.web.urls import request_params, toggle_urls, url_with

bp = Blueprint("web", __name__)


def search_data(path: str = "/search", page: bool = True, args: MultiDict | None = None) -> dict:
    """Run the search the request asks for (its args, or these), with the URLs to move between
    its states; with page, also what only the HTML page shows (chips, paging links, views)."""
    args = request.args if args is None else args
    req = request_from(args)
    # "Find an agency" (a facet's own search box, for lists of hundreds): every value is
    # counted so the one typed can be found, then the page lists the ones that match.
    finds = {n: args.get(f"find_{n}", "").strip()[:100] for n in FACETS} if page else {}
    finds = {n: text for n, text in finds.items() if text}
    if finds:
        req = dataclasses.replace(req, facet_size=None)
    view = group_by_review if req.group == "review" else run_search
    try:
        data = view(handle(), req, limits())
    except QueryError as exc:
        raise BadRequest(str(exc)) from None
    data.setdefault("group", req.group)
    toggle_url = toggle_urls(path, req)
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
    if data.get("corrected_query"):  # results for a near spelling: offer exactly what was typed
        data["typed_url"] = url_with(path, request_params(dataclasses.replace(req, correct=False)))
    g.search_total = data["total"]  # for the access log
    if page:
        add_page_furniture(data, req, path, demo(), finds)
        blank = not req.q and not any(req.filters.values()) and req.year_from is req.year_to is None
        # Nothing asked yet: what the library holds, not every text by "best match".
        data["overview"] = library_overview(handle()) if blank and req.page == 1 else None
    return data


@bp.route("/")
def home():
    """The search page is the home page."""
    return redirect(url_for("web.search_page"))


@bp.route("/search")
def search_page():
    """Search results as HTML; a form with mistakes comes back with them said, as typed."""
    errors = search_errors(request.args)
    if not errors:
        try:
            return render_template("search.html", **search_data("/search"))
        except BadRequest as exc:
            errors = [FieldError("q", exc.description)]
    data = error_page_data(request.args, errors, demo())
    return render_template("search.html", **data), 400


@bp.route("/api/search")
def search_api():
    """Search results as JSON."""
    # The data and the facet toggle URLs, without the page's furniture.
    return jsonify(search_data("/api/search", page=False))


# <review_id> matches a '/' too (app.py), as ids may hold one; lookups are by id, never on disk.
@bp.route("/reviews/<review_id>")
def review_page(review_id: str):
    """One review: metadata, summary, its recommendations (paged) and similar ones elsewhere."""
    review = review_or_404(review_id)
    recommendations = review["recommendations"]
    # ?similar=N shows what reads like recommendation N; without it, like the whole review.
    number = request.args.get("similar", "").strip() or None
    if number is not None and not any(r.get("number") == number for r in recommendations):
        number = None
    recs = recommendation_pages(
        review_id, recommendations, int_arg(request.args, "page", None), number
    )
    whole = similar_to_whole_review(recommendations)
    deadline = Deadline(limits().time_limit)
    similar = (
        similar_recommendations(handle(), review_id, number, deadline=deadline)
        if number is not None or whole
        else None
    )
    return render_template(
        "review.html",
        review=review,
        recs=recs,
        demo=review["synthetic"],
        similar=similar,
        similar_to=number,
        similar_whole=whole,
        similar_partial=deadline.hit,
        partial_note=PARTIAL_NOTE,
        back_url=safe_back(request.args.get("back")),
        citations=_citations(review, recs.shown),
    )


def _citations(review: dict, recommendations: list[dict]) -> dict[str, dict]:
    """Each shown recommendation's citation: the text, and its RIS and BibTeX files."""
    base, today = current_app.config["BASE_URL"], dt.date.today()
    out = {}
    for rec in recommendations:
        number = rec.get("number")
        files = (
            f"/reviews/{quote(review['id'], safe='')}/recommendations/{quote(str(number), safe='')}"
        )
        c = citation(review, rec, base, today)
        out[number] = {"text": citation_text(c), "ris": f"{files}.ris", "bib": f"{files}.bib", **c}
    return out


@bp.route("/api/reviews/<review_id>")
def review_api(review_id: str):
    """One review as JSON."""
    return jsonify(review_or_404(review_id))


@bp.route("/reports/<review_id>.pdf")
def report_pdf(review_id: str):
    """The report PDF of a review, looked up by id in the index (never a path from the request)."""
    path = report_path(handle(), review_id)
    if path is None or not Path(path).is_file():
        raise NotFound("There is no report PDF for this review.")
    return send_file(
        path, mimetype="application/pdf", download_name=f"{review_id}.pdf", conditional=True
    )


@bp.route("/api/reviews/<review_id>/similar")
def similar_api(review_id: str):
    """Recommendations in other reviews like this review's (or its recommendation `number`)."""
    review = review_or_404(review_id)
    number = request.args.get("number", "").strip() or None
    if number is not None and not any(r.get("number") == number for r in review["recommendations"]):
        raise NotFound(f"Review {review_id!r} has no recommendation {number[:40]!r}.")
    limit = max(1, min(int_arg(request.args, "limit", 5), 50))
    deadline = Deadline(limits().time_limit)
    hits = similar_recommendations(handle(), review_id, number, limit=limit, deadline=deadline)
    data = {"review_id": review_id, "number": number, "hits": hits, "partial": deadline.hit}
    return jsonify(data)


def _export_response(fmt: str) -> Response:
    req = request_from(request.args)
    try:
        result = export(handle(), req, base_url=current_app.config["BASE_URL"], limits=limits())
    except QueryError as exc:
        raise BadRequest(str(exc)) from None
    if fmt == "csv":
        # A plain table that still says what it is: the search and the day on every row.
        today = dt.date.today().isoformat()
        rows = ({**row, "query": req.q, "exported_on": today} for row in result.rows)
        body = exports.csv_pieces(CSV_EXPORT_COLUMNS, rows)
        mimetype = "text/csv"
    else:
        header = {
            "query": req.q,
            "filters": {name: req.chosen(name) for name in FACETS if req.chosen(name)},
            "sort": req.sort,
            "exported_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "total": result.total,
            "partial": result.partial,
            "notes": result.notes,
            "columns": list(EXPORT_COLUMNS),
            # Where the case-characteristic columns come from, and what they mean.
            "dhrd": {"citation": CITATION, "false_means": FALSE_MEANS},
        }
        body = exports.json_pieces(header, result.rows)
        mimetype = "application/json"
    response = Response(body, mimetype=mimetype)
    name = exports.filename(req.q, fmt)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Total-Count"] = str(result.total)
    if result.partial:  # CSV has no header of its own to say so
        response.headers["X-Partial-Results"] = "true"
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
    return _export_response(choice(request.args, "format", ("csv", "json")))


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

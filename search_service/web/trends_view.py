"""/trends, /trends.svg, /trends.csv and /api/trends: matching reviews or recommendations per
year, beside all the library's reviews that year and the share matching."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request
from markupsafe import Markup
from werkzeug.exceptions import BadRequest

from search_service.search.facet_registry import PER_REVIEW
from search_service.search.request import QueryError, SearchRequest
from search_service.search.service import reviews_per_year
from search_service.search.trends import COUNTS
from search_service.web import export as exports
from search_service.web.arguments import choice
from search_service.web.charts import YEAR_FIELD_LABELS, render_svg
from search_service.web.context import demo, handle, limits, request_from
from search_service.web.page import CASE_NOTE, chips
from search_service.web.urls import request_params, url_with, view_links

bp = Blueprint("trends", __name__)

_UNIT = {"reviews": "review", "recommendations": "recommendation"}
CSV_COLUMNS = ("year", "reviews", "recommendations", "all_reviews", "share")


def trend_data() -> tuple[SearchRequest, dict]:
    """The request and its matching reviews (and recommendations) per year."""
    req = request_from(request.args)
    count = choice(request.args, "count", COUNTS)
    try:
        data = reviews_per_year(handle(), req, limits())
    except QueryError as exc:
        raise BadRequest(str(exc)) from None
    data["count"] = count
    return req, data


def _title(req: SearchRequest, count: str) -> str:
    label = YEAR_FIELD_LABELS[req.year_field]
    about = f"for “{req.q}”" if req.q else "for every review"
    return f"Matching {count} by {label} {about}"


def _chart(req: SearchRequest, data: dict) -> str:
    """The SVG of the chosen count (render_svg draws the "reviews" key of each year)."""
    count = data["count"]
    bars = [{"year": y["year"], "reviews": y[count]} for y in data["years"]]
    return render_svg(bars, _title(req, count), req.year_field, unit=_UNIT[count])


def _count_links(req: SearchRequest, count: str) -> list[dict]:
    base = request_params(req)
    return [
        {
            "value": c,
            "current": c == count,
            "url": url_with("/trends", base + ([("count", c)] if c != COUNTS[0] else [])),
        }
        for c in COUNTS
    ]


@bp.route("/trends")
def trends_page():
    """Matching reviews or recommendations per year as a chart, with the numbers as a table."""
    req, data = trend_data()
    count = data["count"]
    extra = [("count", count)] if count != COUNTS[0] else []
    return render_template(
        "trends.html",
        req=req,
        trend=data,
        title=_title(req, count),
        svg=Markup(_chart(req, data)),  # every text inside is escaped
        views=view_links(req, "/trends"),
        counts=_count_links(req, count),
        csv_url=url_with("/trends.csv", request_params(req) + extra),
        svg_url=url_with("/trends.svg", request_params(req) + extra),
        year_label=YEAR_FIELD_LABELS[req.year_field],
        chips=chips(req, "/trends"),
        case_note=CASE_NOTE if any(req.chosen(name) for name in PER_REVIEW) else "",
        demo=demo(),
    )


@bp.route("/trends.svg")
def trends_svg():
    """The chart alone, as an SVG file people can put in a report."""
    req, data = trend_data()
    return Response(_chart(req, data), mimetype="image/svg+xml")


@bp.route("/trends.csv")
def trends_csv():
    """The chart's numbers as CSV: each year, matching reviews and recommendations, all reviews."""
    req, data = trend_data()
    rows = list(data["years"])
    if data["unknown"]:
        rows.append({"year": "unknown", "reviews": data["unknown"]})
    response = Response(exports.csv_pieces(CSV_COLUMNS, rows), mimetype="text/csv")
    name = exports.filename(req.q, "csv").replace(".csv", "-per-year.csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/api/trends")
def trends_api():
    """Matching reviews and recommendations per year as JSON."""
    return jsonify(trend_data()[1])

"""/themes and /api/themes: each theme with its recommendations, reviews, sectors and years."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from markupsafe import Markup

from search_service.analysis.themes import RULES_FILE
from search_service.search.themes_overview import ThemeSummary, theme_overview
from search_service.web.charts import render_svg
from search_service.web.context import handle
from search_service.web.urls import url_with

bp = Blueprint("themes", __name__)


def _theme_dict(summary: ThemeSummary) -> dict:
    chosen = [("theme", summary.id), ("type", "recommendation")]
    return {
        "id": summary.id,
        "label": summary.label,
        "recommendations": summary.recommendations,
        "reviews": summary.reviews,
        "sectors": [{"sector": s, "recommendations": n} for s, n in summary.sectors],
        "years": [{"year": y, "recommendations": n} for y, n in summary.years],
        "search_url": url_with("/search", chosen),
        "trends_url": url_with("/trends", [*chosen, ("year_field", "published")]),
    }


def themes_data() -> dict:
    """The one data dict /themes renders and /api/themes returns."""
    themes = [_theme_dict(s) for s in theme_overview(handle())]
    return {"themes": themes, "rules_file": RULES_FILE}


@bp.route("/themes")
def themes_page():
    """Every theme: its counts, the sectors it is addressed to, a chart of its years."""
    data = themes_data()
    charts = {
        t["id"]: Markup(
            render_svg(
                [{"year": y["year"], "reviews": y["recommendations"]} for y in t["years"]],
                f"{t['label']}: recommendations by year published",
                "published",
                id_prefix=f"theme-{t['id']}",
                unit="recommendation",
            )
        )
        for t in data["themes"]
        if t["years"]
    }
    return render_template("themes.html", **data, charts=charts)


@bp.route("/api/themes")
def themes_api():
    """Every theme's counts as JSON."""
    return jsonify(themes_data())

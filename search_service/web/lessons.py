"""/lessons and /api/lessons: lessons drawn again and again, most often repeated first."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from werkzeug.exceptions import NotFound

from search_service.search.lessons_view import get_lesson, list_lessons
from search_service.web.context import demo, handle, request_from
from search_service.web.page import chips

bp = Blueprint("lessons", __name__)

# The lessons page filters by these, as the search does.
FILTERS = ("sector", "region", "theme", "csp")


def lessons_data() -> dict:
    """The one data dict /lessons renders and /api/lessons returns."""
    req = request_from(request.args)
    data = list_lessons(handle(), req)
    data["filters"] = {name: req.chosen(name) for name in FILTERS if req.chosen(name)}
    data["year_from"], data["year_to"], data["year_field"] = (
        req.year_from,
        req.year_to,
        req.year_field,
    )
    return data


@bp.route("/lessons")
def lessons_page():
    """The recurring lessons, with their reviews by year, sector and region."""
    req = request_from(request.args)
    return render_template(
        "lessons.html", **lessons_data(), chips=chips(req, "/lessons"), demo=demo()
    )


@bp.route("/api/lessons")
def lessons_api():
    """The recurring lessons as JSON."""
    return jsonify(lessons_data())


def _lesson_or_404(lesson_id: str) -> dict:
    found = get_lesson(handle(), lesson_id)
    if found is None:
        raise NotFound(f"There is no lesson with the id {lesson_id!r}.")
    return found


@bp.route("/lessons/<lesson_id>")
def lesson_page(lesson_id: str):
    """One recurring lesson: its representative wording and every recommendation in it."""
    return render_template("lesson.html", lesson=_lesson_or_404(lesson_id), demo=demo())


@bp.route("/api/lessons/<lesson_id>")
def lesson_api(lesson_id: str):
    """One recurring lesson as JSON."""
    return jsonify(_lesson_or_404(lesson_id))

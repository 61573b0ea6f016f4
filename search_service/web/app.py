"""The Flask app: settings, the index handle, blueprints, error handlers and the fast JSON path."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import PathConverter

from search_service import config
from search_service.analysis.themes import LABELS as THEME_LABELS
from search_service.index.versions import IndexMissingError
from search_service.links import BACK_PATHS, safe_back, with_back
from search_service.model import SOURCES
from search_service.search.limits import Limits
from search_service.search.service import open_index
from search_service.web import (
    citations,
    feeds,
    lessons,
    reviews_list,
    routes,
    security,
    themes,
    trends_view,
)
from search_service.web.fast_api import FastSearchApi


def back_link(url: str) -> str:
    """A link to a review from a search page, carrying that page as where to come back to."""
    here = request.full_path if request.path in BACK_PATHS else None
    return with_back(url, safe_back(here))


def build_app(test_config: dict | None = None) -> Flask:
    """create_app's body: defaults, then the environment, then test_config."""
    templates = config.templates_dir()
    app = Flask(
        "search_service",
        template_folder=str(templates),
        static_folder=str(templates / "static"),
    )
    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    app.config["INDEX_DIR"] = str(Path(app.config["INDEX_DIR"]))
    # Exports' absolute links start here, never at the request's Host header.
    app.config["BASE_URL"] = config.base_url(app.config["BASE_URL"] or config.DEFAULT_BASE_URL)
    app.json.sort_keys = False
    app.jinja_env.globals["source_labels"] = SOURCES
    app.jinja_env.globals["theme_labels"] = THEME_LABELS
    app.jinja_env.filters["back_link"] = back_link
    app.extensions["dhr_index"] = open_index(Path(app.config["INDEX_DIR"]))
    app.extensions["dhr_limits"] = Limits.from_config(app.config)
    security.init_app(app)
    # A review id may hold a '/' (links send %2F, decoded before routing), so <review_id>
    # matches slashes as <path:...> would, and the rules stay as OpenAPI spells them. An id
    # is taken as sent: merging '//' would redirect to another id. Set before the
    # blueprint's rules are bound.
    app.url_map.converters["default"] = PathConverter
    app.url_map.merge_slashes = False
    app.register_blueprint(routes.bp)
    app.register_blueprint(themes.bp)
    app.register_blueprint(citations.bp)
    app.register_blueprint(trends_view.bp)
    app.register_blueprint(lessons.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(reviews_list.bp)
    app.register_error_handler(HTTPException, routes.render_error)
    app.register_error_handler(IndexMissingError, routes.index_missing)
    app.register_error_handler(Exception, routes.unexpected)
    app.wsgi_app = FastSearchApi(app)  # GET /api/search without Flask's request machinery
    return app

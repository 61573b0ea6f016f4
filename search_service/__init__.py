"""DHR Search: full-text search over UK Domestic Homicide Reviews."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.exceptions import HTTPException

from . import config
from .index import IndexHandle, IndexMissingError


def create_app(test_config: dict | None = None) -> Flask:
    """The Flask app factory: defaults, then the environment, then test_config."""
    app = Flask(
        __name__,
        template_folder=str(config.REPO_ROOT / "templates"),
        static_folder=str(config.REPO_ROOT / "templates" / "static"),
    )
    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    app.config["INDEX_DIR"] = str(Path(app.config["INDEX_DIR"]))
    app.json.sort_keys = False
    app.extensions["dhr_index"] = IndexHandle(Path(app.config["INDEX_DIR"]))

    from . import hardening, web
    from .fast_api import FastSearchApi

    hardening.init_app(app)
    app.register_blueprint(web.bp)
    app.register_error_handler(HTTPException, web.render_error)
    app.register_error_handler(IndexMissingError, web.index_missing)
    app.register_error_handler(Exception, web.unexpected)
    app.wsgi_app = FastSearchApi(app)  # GET /api/search without Flask's request machinery
    return app

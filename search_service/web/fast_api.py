"""GET /api/search's answers at the WSGI layer, without Flask's request machinery.

The JSON search is most of the traffic, and for a light query Flask's request context,
routing, hooks and response object cost about a third of the answer (docs/performance.md).
This wrapper answers it with the Flask view's own data dict, JSON, headers and access-log
line. Anything else, and any search that does not answer 200 (a bad argument, no index, an
error), goes to the Flask app, which answers it as it answers every route; the search is
read-only, so asking twice changes nothing. tests/test_fast_api.py checks that both give
the same bytes.
"""

from __future__ import annotations

import time

from flask import Flask
from werkzeug.wrappers import Request

from search_service.web.routes import search_data
from search_service.web.security import HEADERS, log_access

PATH = "/api/search"


class FastSearchApi:
    """WSGI middleware in front of app.wsgi_app (create_app installs it)."""

    def __init__(self, app: Flask):
        self.app = app
        self.flask_wsgi = app.wsgi_app

    def __call__(self, environ, start_response):
        if (
            environ.get("PATH_INFO") != PATH
            or environ.get("REQUEST_METHOD") != "GET"
            or not self._compact_json()
        ):
            return self.flask_wsgi(environ, start_response)
        started = time.perf_counter()
        request = Request(environ)  # Werkzeug's, as Flask's reads the query string
        try:
            with self.app.app_context():
                data = search_data(PATH, page=False, args=request.args)
                body = f"{self.app.json.dumps(data, separators=(',', ':'))}\n".encode()
        except Exception:  # noqa: BLE001 - Flask answers errors (and logs the unexpected)
            return self.flask_wsgi(environ, start_response)
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            *HEADERS.items(),
        ]
        start_response("200 OK", headers)
        log_access("GET", PATH, request.query_string, 200, started, data["total"])
        return [body]

    def _compact_json(self) -> bool:
        # When Flask would indent its JSON (debugging, or compact set False), it answers.
        compact = getattr(self.app.json, "compact", None)
        return compact is True or (compact is None and not self.app.debug)

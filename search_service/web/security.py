"""Security headers on every response, and one structured access-log line per request."""

from __future__ import annotations

import json
import logging
import sys
import time

from flask import Flask, Response, g, request
from werkzeug.exceptions import MethodNotAllowed

ACCESS_LOG = "search_service.access"
# Scripts only from our own files: no inline script can run even if escaping ever slipped.
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    )
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# The query string is logged as the user sent it, but never more than this.
MAX_LOGGED_QUERY = 1000

log = logging.getLogger(ACCESS_LOG)


def init_app(app: Flask) -> None:
    """Register the headers and the access log on app."""
    app.before_request(_start_clock)
    app.after_request(_finish)


def _start_clock() -> None:
    g.access_started = time.perf_counter()


def _finish(response: Response) -> Response:
    # Headers a view set itself stay (setdefault's effect, without its scan per header).
    present = {name.lower() for name in response.headers.keys()}  # noqa: SIM118 - iterating gives pairs
    for name, value in HEADERS.items():
        if name.lower() not in present:
            response.headers.add(name, value)
    # Our error pages are rendered afresh, which drops the Allow header HTTP asks of a 405.
    refused = request.routing_exception
    if isinstance(refused, MethodNotAllowed) and refused.valid_methods:
        response.headers.setdefault("Allow", ", ".join(sorted(refused.valid_methods)))
    log_access(
        request.method,
        request.path,
        request.query_string,
        response.status_code,
        g.get("access_started"),
        g.get("search_total"),
    )
    return response


def log_access(
    method: str,
    path: str,
    query: bytes,
    status: int,
    started: float | None,
    hits: int | None = None,
) -> None:
    """Write one access-log line (when the log is on): no headers, no cookies, the query as
    typed."""
    if not log.isEnabledFor(logging.INFO):
        return
    record = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "method": method,
        "path": path,
        "status": status,
        "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
    }
    typed = query.decode("utf-8", "replace")
    if typed:
        record["query"] = typed[:MAX_LOGGED_QUERY]
    if hits is not None:
        record["hits"] = hits
    log.info(json.dumps(record, ensure_ascii=False))


def configure_access_log(stream=None) -> None:
    """Send access-log lines and events (a version warmed: one JSON object each) to stderr;
    called by `serve`."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for logger in (log, logging.getLogger("search_service.events")):
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
